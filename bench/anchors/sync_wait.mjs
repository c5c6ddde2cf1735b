// Sync mode under load: CLIENTS submits held at once with `Prefer: wait=60`, each on a
// connection of its own, until genq holds them all (its queue depth reaches CLIENTS);
// then genq's RSS and thread count, read from /proc; then a no-op worker
// (genq_worker.mjs) completes the jobs and every held request must be answered `done`.
//   node sync_wait.mjs --url URL --key API_KEY --token WORKER_TOKEN --pid GENQ_PID [--clients 10000]
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { args, sleep, EMBED } from './common.mjs';
import { startWorker } from './genq_worker.mjs';

const a = args({ clients: '10000' });
const clients = Number(a.clients);
const url = new URL(a.url);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const body = JSON.stringify(EMBED);

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))[1]);
  return { rssMb: field('VmRSS') / 1024, threads: field('Threads') };
}

async function queueDepth() {
  const text = await (await fetch(`${a.url}/metrics`)).text();
  return Number(text.match(new RegExp(`^genq_queue_depth\\{model="${EMBED.model}"\\} (\\d+)`, 'm'))?.[1] ?? 0);
}

function heldSubmit() {
  return new Promise((resolve) => {
    const req = http.request({
      host: url.hostname, port: url.port, method: 'POST', path: '/api/v1/client/txt2embedding', agent,
      headers: { Authorization: `Bearer ${a.key}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
        Prefer: 'wait=60' },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let status = `http ${res.statusCode}`;
        try { if (res.statusCode === 200) status = JSON.parse(Buffer.concat(chunks).toString()).data.status; } catch { status = 'bad body'; }
        resolve(status);
      });
    });
    req.on('error', (e) => resolve(`error ${e.code ?? e.message}`));
    req.end(body);
  });
}

const before = procStatus(a.pid);
const t0 = performance.now();
const answers = Array.from({ length: clients }, () => heldSubmit());
const deadline = Date.now() + 120000;
while ((await queueDepth()) < clients) {
  if (Date.now() > deadline) { console.error(`only ${await queueDepth()} of ${clients} held after 120 s`); process.exit(1); }
  await sleep(200);
}
const heldAfter = (performance.now() - t0) / 1000;
await sleep(1000);  // every request is in its wait: let allocations settle
const held = procStatus(a.pid);

const t1 = performance.now();
const worker = startWorker({ url: a.url, token: a.token, slots: 64 });
const statuses = await Promise.all(answers);
const drain = (performance.now() - t1) / 1000;
worker.stop?.();
const counts = {};
for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
const notDone = clients - (counts.done ?? 0);
if (notDone) console.error(`answers: ${JSON.stringify(counts)}`);
console.log(`RESULT clients=${clients} submit_phase_s=${heldAfter.toFixed(3)} idle_rss_mb=${before.rssMb.toFixed(1)} ` +
  `held_rss_mb=${held.rssMb.toFixed(1)} idle_threads=${before.threads} held_threads=${held.threads} ` +
  `drain_s=${drain.toFixed(3)} answered_per_s=${(clients / drain).toFixed(1)} not_done=${notDone}`);
process.exit(0);
