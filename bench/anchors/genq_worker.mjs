// A no-op genq worker over the worker protocol (docs/worker-protocol.md): LOOPS claim
// loops, each holding at most SLOTS/LOOPS jobs, claiming its free slots in one
// `max_jobs` batch (at most 32) and completing every job at once with a small JSON
// result (txt2embedding jobs: text output, no file upload). Used in-process by
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
      for (const job of jobs) {
        free -= 1;
        call('POST', `/api/v1/worker/jobs/${job.job_id}/complete`, { lease_id: job.lease_id, result: EMBED_RESULT })
          .then(() => { completed += 1; onComplete(job.job_id); }, (e) => console.error(`complete: ${e.message}`))
          .finally(release);
      }
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
