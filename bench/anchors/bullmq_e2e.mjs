// End-to-end jobs/s through BullMQ: JOBS `add()` calls with 64 in flight while a
// Worker with concurrency 64 (a no-op processor) drains the queue, in this one
// process, on the Redis at --redis PORT. Time: first add to last `completed`.
//   node bullmq_e2e.mjs --redis PORT --jobs N [--concurrency 64]
import { Queue, Worker } from 'bullmq';
import { args, EMBED, EMBED_RESULT } from './common.mjs';

const a = args({ concurrency: '64' });
const jobs = Number(a.jobs);
const inFlight = Number(a.concurrency);
const connection = { host: '127.0.0.1', port: Number(a.redis), maxRetriesPerRequest: null };
const name = `e2e-${process.pid}`;
const queue = new Queue(name, { connection });
await queue.waitUntilReady();
let done = 0;
let finish;
const allDone = new Promise((r) => { finish = r; });
const t0 = performance.now();
const worker = new Worker(name, async () => EMBED_RESULT, { connection, concurrency: inFlight });
worker.on('completed', () => { done += 1; if (done === jobs) finish(performance.now()); });
let next = 0;
const lane = async () => {
  while (next < jobs) { next += 1; await queue.add('embed', EMBED); }
};
await Promise.all(Array.from({ length: inFlight }, lane));
const submitted = (performance.now() - t0) / 1000;
const end = await allDone;
const seconds = (end - t0) / 1000;
console.log(`RESULT jobs=${jobs} seconds=${seconds.toFixed(3)} jobs_per_s=${(jobs / seconds).toFixed(1)} ` +
  `submit_phase_s=${submitted.toFixed(3)} failed=0`);
process.exit(0);
