// Status streams under load: CLIENTS jobs submitted, then one Server-Sent Events stream
// per job (`GET /api/v1/client/request-status/{id}/stream`), each on a connection of its
// own, held until every stream has its first event (the job's current state); then
// genq's RSS and thread count from /proc; then a no-op worker (genq_worker.mjs)
// completes the jobs, and every stream must deliver its `done` state and end.
//   node sse_streams.mjs --url URL --key API_KEY --token WORKER_TOKEN --pid GENQ_PID [--clients 10000]
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { args, jsonClient, sleep, EMBED } from './common.mjs';
import { startWorker } from './genq_worker.mjs';

const a = args({ clients: '10000' });
const clients = Number(a.clients);
const url = new URL(a.url);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))[1]);
  return { rssMb: field('VmRSS') / 1024, threads: field('Threads') };
}

// Submits every job first, 64 at a time: the streams then measure holding, not submits.
const submitter = jsonClient(a.url, a.key, 64);
const ids = [];
for (let next = 0; next < clients;) {
  const batch = Math.min(64, clients - next);
  const answers = await Promise.all(Array.from({ length: batch }, () =>
    submitter('POST', '/api/v1/client/txt2embedding', EMBED)));
  for (const answer of answers) ids.push(answer.data.request_id);
  next += batch;
}

let opened = 0;
// One stream: resolves with its last state once the server ends it.
function stream(id) {
  return new Promise((resolve) => {
    let last = 'none';
    let first = true;
    let buffer = '';
    const req = http.request({
      host: url.hostname, port: url.port, method: 'GET', agent,
      path: `/api/v1/client/request-status/${id}/stream`,
      headers: { Authorization: `Bearer ${a.key}`, Accept: 'text/event-stream' },
    }, (res) => {
      if (res.statusCode !== 200) { res.resume(); resolve(`http ${res.statusCode}`); return; }
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').find((line) => line.startsWith('data:'));
          if (!data) continue;
          try { last = JSON.parse(data.slice(5)).data?.status ?? JSON.parse(data.slice(5)).status ?? last; } catch { last = 'bad event'; }
          if (first) { first = false; opened += 1; }
        }
      });
      res.on('end', () => resolve(last));
    });
    req.on('error', (e) => resolve(`error ${e.code ?? e.message}`));
    req.end();
  });
}

const before = procStatus(a.pid);
const t0 = performance.now();
const streams = ids.map((id) => stream(id));
const deadline = Date.now() + 120000;
while (opened < clients) {
  if (Date.now() > deadline) { console.error(`only ${opened} of ${clients} streams open after 120 s`); process.exit(1); }
  await sleep(100);
}
const openAfter = (performance.now() - t0) / 1000;
await sleep(1000);  // every stream is waiting: let allocations settle
const held = procStatus(a.pid);

const t1 = performance.now();
const worker = startWorker({ url: a.url, token: a.token, slots: 64 });
const finals = await Promise.all(streams);
const drain = (performance.now() - t1) / 1000;
worker.stop?.();
const counts = {};
for (const s of finals) counts[s] = (counts[s] ?? 0) + 1;
const notDone = clients - (counts.done ?? 0);
if (notDone) console.error(`last states: ${JSON.stringify(counts)}`);
console.log(`RESULT clients=${clients} open_phase_s=${openAfter.toFixed(3)} idle_rss_mb=${before.rssMb.toFixed(1)} ` +
  `held_rss_mb=${held.rssMb.toFixed(1)} idle_threads=${before.threads} held_threads=${held.threads} ` +
  `drain_s=${drain.toFixed(3)} ended_per_s=${(clients / drain).toFixed(1)} not_done=${notDone}`);
process.exit(0);
