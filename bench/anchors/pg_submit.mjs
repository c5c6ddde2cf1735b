// PostgreSQL job-queue anchors: durable submits/s with CONCURRENCY in flight for
// SECONDS, each a job with the same txt2img parameters genq's submit benchmark sends.
//   pg-boss:          boss.send(queue, data)      (pg-boss's own pool, default size 10)
//   graphile-worker:  workerUtils.addJob(task, payload)   (default pool, size 10)
// Both on the throwaway PostgreSQL at --pg URL (fsync=on, synchronous_commit=on).
//   node pg_submit.mjs --pg URL --system pg-boss|graphile-worker [--concurrency 64] [--seconds 10]
import { createRequire } from 'node:module';
import { args, closedLoop, TXT2IMG } from './common.mjs';

const require = createRequire(import.meta.url);
const a = args({ concurrency: '64', seconds: '10' });
let op;
let close;
if (a.system === 'pg-boss') {
  const PgBoss = require('pg-boss');
  const boss = new PgBoss({ connectionString: a.pg });
  boss.on('error', (e) => console.error(e.message));
  await boss.start();
  await boss.createQueue('txt2img');
  op = () => boss.send('txt2img', TXT2IMG);
  close = () => boss.stop({ graceful: false, wait: false });
} else if (a.system === 'graphile-worker') {
  const { makeWorkerUtils } = require('graphile-worker');
  const utils = await makeWorkerUtils({ connectionString: a.pg });
  await utils.migrate();
  op = () => utils.addJob('txt2img', TXT2IMG);
  close = () => utils.release();
} else {
  throw new Error(`unknown --system ${a.system}`);
}
const r = await closedLoop(op, Number(a.concurrency), Number(a.seconds));
console.log(`RESULT ops=${r.done} seconds=${r.seconds.toFixed(3)} per_s=${r.perS.toFixed(1)} errors=${r.errors}`);
await close().catch(() => {});
process.exit(0);
