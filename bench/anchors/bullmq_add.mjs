// BullMQ durable-submit anchor: Queue.add() of the same txt2img parameters genq's
// submit benchmark sends, CONCURRENCY adds in flight, for SECONDS, on the Redis at
// --redis PORT (started by the caller with appendonly yes, appendfsync everysec).
//   node bullmq_add.mjs --redis PORT [--concurrency 64] [--seconds 10]
import { Queue } from 'bullmq';
import { args, closedLoop, TXT2IMG } from './common.mjs';

const a = args({ concurrency: '64', seconds: '10' });
const connection = { host: '127.0.0.1', port: Number(a.redis), maxRetriesPerRequest: null };
const queue = new Queue(`submit-${process.pid}`, { connection });
await queue.waitUntilReady();
const r = await closedLoop(() => queue.add('txt2img', TXT2IMG), Number(a.concurrency), Number(a.seconds));
console.log(`RESULT ops=${r.done} seconds=${r.seconds.toFixed(3)} per_s=${r.perS.toFixed(1)} errors=${r.errors}`);
process.exit(0);
