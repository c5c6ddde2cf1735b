// Submit -> final WebSocket event through genq: a pusher-js client subscribed to its
// private-client channel submits txt2embedding jobs at RATE per second for SECONDS;
// a no-op worker (genq_worker.mjs, its own process) completes them. Per job: time
// from starting the submit to receiving its `done` status event.
//   node genq_latency.mjs --url URL --pusher-key KEY --key API_KEY --client-id ID
//        --rate 100 --seconds 10 [--samples FILE]
import { createRequire } from 'node:module';
import { args, jsonClient, percentile, writeSamples, EMBED } from './common.mjs';

const require = createRequire(import.meta.url);
const Pusher = require('pusher-js');
const a = args({ rate: '100', seconds: '10' });
const rate = Number(a.rate);
const total = Math.round(rate * Number(a.seconds));
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
const started = [];
let failures = 0;
const t0 = performance.now();
const submits = [];
for (let i = 0; i < total; i++) {
  const wait = t0 + (i * 1000) / rate - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const at = performance.now();
  submits.push(submit('POST', '/api/v1/client/txt2embedding', EMBED)
    .then((json) => started.push([json.data.request_id, at]), () => { failures += 1; }));
}
await Promise.all(submits);
const offered = total / ((performance.now() - t0) / 1000);
const deadline = performance.now() + 60000;
while (started.some(([id]) => !doneAt.has(id)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const lat = started.filter(([id]) => doneAt.has(id)).map(([id, at]) => doneAt.get(id) - at).sort((x, y) => x - y);
writeSamples(a.samples, lat);
console.log(`RESULT p50_ms=${percentile(lat, 50).toFixed(2)} p99_ms=${percentile(lat, 99).toFixed(2)} ` +
  `max_ms=${lat.at(-1).toFixed(2)} jobs=${lat.length} total=${total} failed=${failures} offered_per_s=${offered.toFixed(1)}`);
pusher.disconnect();
process.exit(0);
