// Submit -> `completed` event through BullMQ, the anchor of genq_latency.mjs: jobs
// added at RATE per second for SECONDS; a QueueEvents listener (Redis streams, the
// BullMQ way for a producer to hear about completion) timestamps each `completed`;
// a no-op Worker (bullmq_worker.mjs, its own process) runs them.
//   node bullmq_latency.mjs --redis PORT --queue NAME --rate 100 --seconds 10 [--samples FILE]
import { Queue, QueueEvents } from 'bullmq';
import { args, percentile, writeSamples, EMBED } from './common.mjs';

const a = args({ rate: '100', seconds: '10' });
const rate = Number(a.rate);
const total = Math.round(rate * Number(a.seconds));
const connection = { host: '127.0.0.1', port: Number(a.redis), maxRetriesPerRequest: null };
const queue = new Queue(a.queue, { connection });
const events = new QueueEvents(a.queue, { connection });
await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
const doneAt = new Map();
events.on('completed', ({ jobId }) => doneAt.set(jobId, performance.now()));
events.on('failed', ({ jobId }) => doneAt.set(jobId, performance.now()));
const started = [];
let failures = 0;
const t0 = performance.now();
const adds = [];
for (let i = 0; i < total; i++) {
  const wait = t0 + (i * 1000) / rate - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const at = performance.now();
  adds.push(queue.add('embed', EMBED).then((job) => started.push([job.id, at]), () => { failures += 1; }));
}
await Promise.all(adds);
const offered = total / ((performance.now() - t0) / 1000);
const deadline = performance.now() + 60000;
while (started.some(([id]) => !doneAt.has(id)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const lat = started.filter(([id]) => doneAt.has(id)).map(([id, at]) => doneAt.get(id) - at).sort((x, y) => x - y);
writeSamples(a.samples, lat);
console.log(`RESULT p50_ms=${percentile(lat, 50).toFixed(2)} p99_ms=${percentile(lat, 99).toFixed(2)} ` +
  `max_ms=${lat.at(-1).toFixed(2)} jobs=${lat.length} total=${total} failed=${failures} offered_per_s=${offered.toFixed(1)}`);
process.exit(0);
