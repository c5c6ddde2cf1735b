// A no-op BullMQ Worker (concurrency 64) on queue NAME, its own process, for the
// latency anchor (bullmq_latency.mjs). Runs until SIGTERM.
//   node bullmq_worker.mjs --redis PORT --queue NAME [--concurrency 64]
import { Worker } from 'bullmq';
import { args, EMBED_RESULT } from './common.mjs';

const a = args({ concurrency: '64' });
const connection = { host: '127.0.0.1', port: Number(a.redis), maxRetriesPerRequest: null };
const worker = new Worker(a.queue, async () => EMBED_RESULT, { connection, concurrency: Number(a.concurrency) });
await worker.waitUntilReady();
process.on('SIGTERM', async () => { await worker.close(true); process.exit(0); });
console.log('READY');
