// A no-op genq worker over the worker protocol (docs/worker-protocol.md): LOOPS claim
// loops, each holding at most SLOTS/LOOPS jobs, claiming its free slots in one
// `max_jobs` batch (at most 32) and completing every job of a claim at once, in one
// batch completion (POST /api/v1/worker/complete), with a small JSON result
// (txt2embedding jobs: text output, no file upload). Used in-process by
// genq_e2e.mjs and as a process of its own by the latency run:
//   node genq_worker.mjs --url URL --token TOKEN [--slots 64] [--loops 4]
// Runs until SIGTERM; prints `completed=N` on exit.
import { args, jsonClient, EMBED, EMBED_RESULT } from './common.mjs';

export function startWorker({ url, token, slots = 64, loops = 4, onComplete = () => {} }) {
  const call = jsonClient(url, token, slots + loops);
  let stopped = false;
  let completed = 0;
  const perLoop = Math.max(1, Math.floor(slots / loops));
  const loop = async (index) => {
    let free = perLoop;
    let wake = null;
    const release = () => { free += 1; if (wake) { const w = wake; wake = null; w(); } };
    while (!stopped) {
      if (free === 0) { await new Promise((r) => { wake = r; }); continue; }
      let jobs;
      try {
        ({ jobs } = await call('POST', '/api/v1/worker/claim',
          { worker_id: `noop-${index}`, models: [EMBED.model], max_jobs: Math.min(free, 32), wait_ms: 1000 }));
      } catch (e) {
        if (!stopped) console.error(`claim: ${e.message}`);
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (jobs.length === 0) continue;
      // Every job of the claim is done at once: one batch completion for all of them.
      free -= jobs.length;
      call('POST', '/api/v1/worker/complete',
        { jobs: jobs.map((job) => ({ job_id: job.job_id, lease_id: job.lease_id, result: EMBED_RESULT })) })
        .then(({ jobs: results }) => {
          for (const r of results) {
            if (r.status === 'done') { completed += 1; onComplete(r.job_id); } else console.error(`complete ${r.job_id}: ${r.message}`);
          }
        }, (e) => console.error(`complete: ${e.message}`))
        .finally(() => { for (let i = 0; i < jobs.length; i += 1) release(); });
    }
  };
  const running = Promise.all(Array.from({ length: loops }, (_, i) => loop(i)));
  return {
    stop: () => { stopped = true; return running; },
    completed: () => completed,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args({ slots: '64', loops: '4' });
  const worker = startWorker({ url: a.url, token: a.token, slots: Number(a.slots), loops: Number(a.loops) });
  process.on('SIGTERM', () => { console.log(`completed=${worker.completed()}`); process.exit(0); });
  console.log('READY');
}
