// The browser side of tls.test.mjs, run as a child process because Node reads
// NODE_EXTRA_CA_CERTS (the test's CA) only at startup: fetch and pusher-js (through its
// WebSocket library) then trust genq's test certificate as a browser would a real one.
// pusher-js with forceTLS subscribes to the client's private channel (authorised over
// https), a job is submitted, and its done event's result_url is downloaded into
// argv[4]. Prints one JSON line: the events seen and the download's status and size.
import { writeFile } from 'node:fs/promises';
import Pusher from 'pusher-js';
import { APP, seedAuthorizer, waitFor, submitJob } from './harness.mjs';

const [url, clientId, apiKey, downloadPath] = process.argv.slice(2);
const port = Number(new URL(url).port);

const pusher = new Pusher(APP.key, {
  wsHost: '127.0.0.1',
  wssPort: port,
  forceTLS: true,
  enabledTransports: ['ws'],  // pusher-js's WebSocket transport; forceTLS makes it wss://
  cluster: 'mt1',
  disableStats: true,
  authorizer: seedAuthorizer(url, apiKey),
});
const events = [];
try {
  const channel = pusher.subscribe(`private-client.${clientId}`);
  channel.bind('request.status.updated', (data) => events.push(data));
  await new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', (e) => reject(new Error(`subscription refused: ${JSON.stringify(e)}`)));
    pusher.connection.bind('failed', () => reject(new Error('pusher-js found no usable transport')));
    setTimeout(() => reject(new Error(`not subscribed within 15 s (state ${pusher.connection.state})`)), 15000).unref();
  });
  // 1024x1024 noise: a PNG of some MiB, so the download crosses many TLS records.
  const requestId = await submitJob(url, apiKey, { width: 1024, height: 1024, steps: 2 });
  const done = await waitFor(() => events.find((e) => e.request_id === requestId && e.status === 'done'),
    { timeoutMs: 30000, message: 'the done event over wss' });
  const status = await fetch(`${url}/api/v1/client/request-status/${requestId}`, {
    headers: { Authorization: `Bearer ${apiKey}` },
  });
  const download = await fetch(done.result_url);
  const bytes = Buffer.from(await download.arrayBuffer());
  await writeFile(downloadPath, bytes);
  console.log(JSON.stringify({
    statuses: events.filter((e) => e.request_id === requestId).map((e) => e.status),
    statusCode: status.status,
    jobStatus: (await status.json()).data?.status,
    downloadStatus: download.status,
    downloadBytes: bytes.length,
    resultUrl: done.result_url,
  }));
} finally {
  pusher.disconnect();
}
