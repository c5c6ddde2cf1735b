// Webhook delivery benchmark (docs/benchmarks.md, "Webhook deliveries").
//
//   node bench/webhooks.mjs [GENQ_BINARY]      (default build/genq)
//   BENCH_WEBHOOKS=20000 BENCH_PENDING=100000 node bench/webhooks.mjs build/genq
//
// 1. Throughput: BENCH_WEBHOOKS deliveries are queued while their receiver is down
//    (submit + cancel: each cancel commits a job.failed delivery whose first attempt is
//    refused; --webhook-retry-scale 1000 parks the retry hours away). The server is
//    stopped, every pending delivery is made due now (the sqlite3 CLI moves
//    next_attempt_at, the one shortcut this harness takes), the receiver (a Node http
//    server answering 200 at once) comes up, and the server starts again with its
//    default, durable settings. Measured: deliveries per second from the server's
//    start until the receiver has seen every delivery id.
// 2. Memory: BENCH_PENDING deliveries pending retry, prepared the same way but with the
//    receiver left down. RSS of a fresh server on an empty database, against a fresh
//    server on that database while it works through all of them (every one is due,
//    every attempt is refused and rescheduled), sampled every 100 ms.
//
// BENCH_REPEAT=N measures each part N times; the backlog is prepared once and each
// repetition runs on a fresh copy of the prepared data directory. BENCH_SERVER_CPU pins
// every genq it starts to that CPU (taskset), as bench/run.sh does for all servers.
//
// Needs node >= 20 and the sqlite3 CLI. Prints RESULT lines. Processes are started here
// and stopped by pid.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GENQ = process.argv[2] ?? 'build/genq';
const DELIVERIES = Number(process.env.BENCH_WEBHOOKS ?? 20000);
const PENDING = Number(process.env.BENCH_PENDING ?? 100000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 1);
const SERVER_CPU = process.env.BENCH_SERVER_CPU;
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2000);  // idle time before RSS is read
const CONCURRENCY = 64;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = [];

function startServer(dataDir, args = []) {
  const argv = ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--log-level', 'error',
    '--webhook-allow-http', '--webhook-allow-private', ...args];
  // taskset execs genq: the pid stays genq's, so RSS is read from the right process.
  const proc = SERVER_CPU === undefined ? spawn(GENQ, argv, { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn('taskset', ['-c', SERVER_CPU, GENQ, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ proc, url: m[1], at: performance.now() });
    });
    proc.once('exit', (code) => reject(new Error(`genq serve exited ${code}`)));
  });
}

async function stop(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))[1]);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

function receiver(port, onHook) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      onHook(req.headers['webhook-id']);
      res.writeHead(200);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function freePort() {
  const server = await receiver(0, () => {});
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

function admin(dataDir) {
  return JSON.parse(execFileSync(GENQ, ['admin', 'create-client', '--data', dataDir, '--name', 'bench']));
}

async function call(url, key, method, path, body) {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

// Queues `count` job.failed deliveries to the account webhook: submit, then cancel.
async function queueDeliveries(url, key, count) {
  let next = 0;
  const body = { model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2 };
  const worker = async () => {
    while (next < count) {
      next += 1;
      const { data } = await call(url, key, 'POST', '/api/v1/client/txt2img', body);
      await call(url, key, 'POST', `/api/v1/client/request-cancel/${data.request_id}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (performance.now() - t0) / 1000;
}

// A database holding `count` deliveries pending retry to a closed port; returns when
// every first attempt has failed.
async function prepare(count) {
  const dir = mkdtempSync(join(tmpdir(), 'genq-bench-hooks-'));
  const client = admin(dir);
  const port = await freePort();
  const server = await startServer(dir, ['--sqlite-sync', 'normal', '--webhook-retry-scale', '1000']);
  await call(server.url, client.api_key, 'PUT', '/api/v1/client/account/webhook', { url: `http://127.0.0.1:${port}/hook` });
  const seconds = await queueDeliveries(server.url, client.api_key, count);
  console.log(`# queued ${count} deliveries in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} submit+cancel/s)`);
  for (;;) {
    if (await metric(server.url, 'genq_webhook_attempts_total') >= count) break;
    await sleep(200);
  }
  await stop(server.proc);
  return { dir, port };
}

// Makes every pending delivery due now, as if its retry time had come.
function makeAllDue(dir) {
  execFileSync('sqlite3', [join(dir, 'genq.db'),
    `UPDATE webhook_deliveries SET next_attempt_at = ${Date.now()} WHERE state = 'pending'`]);
}

function copyOf(dir) {
  const copy = mkdtempSync(join(tmpdir(), 'genq-bench-copy-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

async function throughput(prepared) {
  const { port } = prepared;
  const dir = copyOf(prepared.dir);
  const seen = new Set();
  let requests = 0;
  let done;
  const allSeen = new Promise((r) => { done = r; });
  const hooks = await receiver(port, (id) => {
    requests += 1;
    seen.add(id);
    if (seen.size === DELIVERIES) done(performance.now());
  });
  makeAllDue(dir);
  const server = await startServer(dir);  // default settings: synchronous=FULL
  const end = await allSeen;
  const seconds = (end - server.at) / 1000;
  for (;;) {  // every attempt recorded (the log is the other half of the work)
    if (await metric(server.url, 'genq_webhook_pending') === 0) break;
    await sleep(50);
  }
  const recorded = (performance.now() - server.at) / 1000;
  console.log(`RESULT webhook_throughput deliveries=${DELIVERIES} seconds=${seconds.toFixed(2)} ` +
    `deliveries_per_s=${(DELIVERIES / seconds).toFixed(0)} all_recorded_s=${recorded.toFixed(2)} ` +
    `requests=${requests} duplicates=${requests - seen.size}`);
  await stop(server.proc);
  await new Promise((r) => hooks.close(r));
  rmSync(dir, { recursive: true, force: true });
}

async function memory(prepared) {
  const empty = mkdtempSync(join(tmpdir(), 'genq-bench-empty-'));
  admin(empty);
  const fresh = await startServer(empty);
  await sleep(SETTLE_MS);
  const baseline = rssKiB(fresh.proc.pid);
  await stop(fresh.proc);
  rmSync(empty, { recursive: true, force: true });

  const dir = copyOf(prepared.dir);
  makeAllDue(dir);
  const server = await startServer(dir);
  let peak = 0;
  let lastPending = -1;
  const t0 = performance.now();
  // Every delivery is due: the engine attempts all of them (refused) and reschedules.
  for (;;) {
    peak = Math.max(peak, rssKiB(server.proc.pid).rss);
    const attempts = await metric(server.url, 'genq_webhook_attempts_total');
    lastPending = await metric(server.url, 'genq_webhook_pending');
    if (attempts >= PENDING || performance.now() - t0 > 300_000) break;
    await sleep(100);
  }
  const sweep = (performance.now() - t0) / 1000;
  await sleep(SETTLE_MS);
  const after = rssKiB(server.proc.pid);
  console.log(`RESULT webhook_memory pending=${lastPending} baseline_rss_mb=${(baseline.rss / 1024).toFixed(1)} ` +
    `rss_after_mb=${(after.rss / 1024).toFixed(1)} peak_rss_mb=${(Math.max(peak, after.hwm) / 1024).toFixed(1)} ` +
    `added_peak_mb=${((Math.max(peak, after.hwm) - baseline.rss) / 1024).toFixed(1)} ` +
    `retry_sweep_s=${sweep.toFixed(1)}`);
  await stop(server.proc);
  rmSync(dir, { recursive: true, force: true });
}

try {
  console.log(`# ${new Date().toISOString()} ${process.arch} ${(await import('node:os')).cpus().length} cores; ` +
    `${execFileSync(GENQ, ['--version']).toString().trim()}; node ${process.version}`);
  if (DELIVERIES > 0) {
    const prepared = await prepare(DELIVERIES);
    for (let i = 0; i < REPEAT; i++) await throughput(prepared);
    rmSync(prepared.dir, { recursive: true, force: true });
  }
  if (PENDING > 0) {
    const prepared = await prepare(PENDING);
    for (let i = 0; i < REPEAT; i++) await memory(prepared);
    rmSync(prepared.dir, { recursive: true, force: true });
  }
} finally {
  for (const proc of started) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  }
}
