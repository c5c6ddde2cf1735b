// Submit -> final WebSocket event through genq: a pusher-js client subscribed to its
// private-client channel submits txt2embedding jobs at RATE per second for SECONDS;
// a no-op worker (genq_worker.mjs, its own process) completes them. Per job: time
// from starting the submit to receiving its `done` status event.
//   node genq_latency.mjs --url URL --pusher-key KEY --key API_KEY --client-id ID
//        --rate 100 --seconds 10 [--samples FILE]
import { createRequire } from 'node:module';
import { args, jsonClient, openLoopLatency, EMBED } from './common.mjs';

const require = createRequire(import.meta.url);
const Pusher = require('pusher-js');
const a = args({ rate: '100', seconds: '10' });
const { hostname, port } = new URL(a.url);
const pusher = new Pusher(a['pusher-key'], {
  wsHost: hostname, wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1', disableStats: true,
  channelAuthorization: { endpoint: `${a.url}/broadcasting/auth`, headers: { Authorization: `Bearer ${a.key}` } },
});
const channel = pusher.subscribe(`private-client.${a['client-id']}`);
await new Promise((resolve, reject) => {
  channel.bind('pusher:subscription_succeeded', resolve);
  channel.bind('pusher:subscription_error', reject);
});
const doneAt = new Map();
channel.bind('request.status.updated', (data) => {
  if (data.status === 'done' || data.status === 'error') doneAt.set(data.request_id, performance.now());
});
const submit = jsonClient(a.url, a.key, 64);
await openLoopLatency({
  rate: Number(a.rate), seconds: Number(a.seconds), doneAt, samples: a.samples,
  submit: () => submit('POST', '/api/v1/client/txt2embedding', EMBED).then((json) => json.data.request_id),
});
pusher.disconnect();
process.exit(0);
