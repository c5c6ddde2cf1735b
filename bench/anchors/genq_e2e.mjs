// End-to-end jobs/s through genq: JOBS txt2embedding submits over HTTP with 64 in
// flight while a no-op worker (genq_worker.mjs, 64 slots, claims in max_jobs batches)
// claims and completes them, in this one process. Time: first submit to last complete.
//   node genq_e2e.mjs --url URL[,URL...] --key API_KEY --token WORKER_TOKEN --jobs N [--concurrency 64]
// With several URLs (nodes of one cluster) the submit lanes take the nodes in turn and
// the 64 worker slots are split evenly, one worker per node: a job is mostly claimed
// on another node than the one it was submitted to.
import { args, jsonClient, EMBED } from './common.mjs';
import { startWorker } from './genq_worker.mjs';

const a = args({ concurrency: '64', slots: '64' });
const urls = a.url.split(',');
const jobs = Number(a.jobs);
const inFlight = Number(a.concurrency);
const submits = urls.map((url) => jsonClient(url, a.key, Math.ceil(inFlight / urls.length)));
let done = 0;
let finish;
const allDone = new Promise((r) => { finish = r; });
const t0 = performance.now();
const slotsPerNode = Math.max(4, Math.floor(Number(a.slots) / urls.length));
for (const url of urls) {
  startWorker({ url, token: a.token, slots: slotsPerNode,
    onComplete: () => { done += 1; if (done === jobs) finish(performance.now()); } });
}
let next = 0;
let failed = 0;
const lane = async (index) => {
  const submit = submits[index % submits.length];
  while (next < jobs) {
    next += 1;
    try { await submit('POST', '/api/v1/client/txt2embedding', EMBED); } catch (e) { failed += 1; console.error(e.message); }
  }
};
await Promise.all(Array.from({ length: inFlight }, (_, i) => lane(i)));
const submitted = (performance.now() - t0) / 1000;
const end = failed ? performance.now() : await allDone;
const seconds = (end - t0) / 1000;
console.log(`RESULT jobs=${jobs} seconds=${seconds.toFixed(3)} jobs_per_s=${(jobs / seconds).toFixed(1)} ` +
  `submit_phase_s=${submitted.toFixed(3)} failed=${failed} nodes=${urls.length}`);
process.exit(0);
