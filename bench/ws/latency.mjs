// Submit -> final WebSocket event latency: a pusher-js client subscribed to its
// private-client channel; jobs submitted at RATE per second for SECONDS; for each job,
// the time from starting its submit to receiving its `done` event. Prints p50/p99.
//   node latency.mjs BASE_URL PUSHER_KEY API_KEY CLIENT_ID RATE SECONDS
import { createRequire } from 'node:module';

const require = createRequire(new URL('../anchors/package.json', import.meta.url));
const Pusher = require('pusher-js');

const [base, key, apiKey, clientId, rateText, secondsText] = process.argv.slice(2);
const rate = Number(rateText);
const total = Math.round(rate * Number(secondsText));
const { hostname, port } = new URL(base);

const pusher = new Pusher(key, {
  wsHost: hostname, wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1', disableStats: true,
  channelAuthorization: { endpoint: `${base}/broadcasting/auth`, headers: { Authorization: `Bearer ${apiKey}` } },
});
const channel = pusher.subscribe(`private-client.${clientId}`);
await new Promise((resolve, reject) => {
  channel.bind('pusher:subscription_succeeded', resolve);
  channel.bind('pusher:subscription_error', reject);
});

const doneAt = new Map();      // request_id -> ms
const started = [];            // [request_id, ms]
channel.bind('request.status.updated', (data) => {
  if (data.status === 'done' || data.status === 'error') doneAt.set(data.request_id, performance.now());
});

const body = JSON.stringify({ model: 'Flux1schnell', prompt: 'bench', width: 256, height: 256, steps: 2 });
let failures = 0;
const t0 = performance.now();
const submits = [];
for (let i = 0; i < total; i++) {
  const due = t0 + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const at = performance.now();
  submits.push(fetch(`${base}/api/v1/client/txt2img`, {
    method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body,
  }).then(async (res) => {
    const json = await res.json();
    if (res.status !== 200) { failures++; return; }
    started.push([json.data.request_id, at]);
  }, () => { failures++; }));
}
await Promise.all(submits);
const offered = total / ((performance.now() - t0) / 1000);
const deadline = performance.now() + 60000;
while (started.some(([id]) => !doneAt.has(id)) && performance.now() < deadline) {
  await new Promise((r) => setTimeout(r, 50));
}
const latencies = started.filter(([id]) => doneAt.has(id)).map(([id, at]) => doneAt.get(id) - at).sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(`RESULT submit_to_done_ms p50=${pct(50).toFixed(1)} p99=${pct(99).toFixed(1)} max=${latencies.at(-1).toFixed(1)} ` +
  `jobs=${latencies.length}/${total} failed_submits=${failures} offered_per_s=${offered.toFixed(1)}`);
pusher.disconnect();
process.exit(0);
