// Submit -> `completed` event through BullMQ, the anchor of genq_latency.mjs: jobs
// added at RATE per second for SECONDS; a QueueEvents listener (Redis streams, the
// BullMQ way for a producer to hear about completion) timestamps each `completed`;
// a no-op Worker (bullmq_worker.mjs, its own process) runs them.
//   node bullmq_latency.mjs --redis PORT --queue NAME --rate 100 --seconds 10 [--samples FILE]
import { Queue, QueueEvents } from 'bullmq';
import { args, openLoopLatency, EMBED } from './common.mjs';

const a = args({ rate: '100', seconds: '10' });
const connection = { host: '127.0.0.1', port: Number(a.redis), maxRetriesPerRequest: null };
const queue = new Queue(a.queue, { connection });
const events = new QueueEvents(a.queue, { connection });
await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
const doneAt = new Map();
events.on('completed', ({ jobId }) => doneAt.set(jobId, performance.now()));
events.on('failed', ({ jobId }) => doneAt.set(jobId, performance.now()));
await openLoopLatency({
  rate: Number(a.rate), seconds: Number(a.seconds), doneAt, samples: a.samples,
  submit: () => queue.add('embed', EMBED).then((job) => job.id),
});
process.exit(0);
