// The collector of `make bench`: reads the measure scripts' JSON lines (RAW), adds the
// machine and the versions of everything measured, and writes the results document:
// per figure its runs, median, min, max and unit, the anchor's the same, the ratio of
// the medians, the target and whether it is met.
//   node bench/collect.mjs RAW_JSONL SAMPLES_DIR OUT_JSON MODE WALL_SECONDS
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const [rawFile, samplesDir, outFile, mode, wallText] = process.argv.slice(2);
const raw = readFileSync(rawFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

const sh = (cmd) => { try { return execSync(cmd, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim(); } catch { return null; } };
const shAll = (cmd) => { try { return execSync(`${cmd} 2>&1`, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim(); } catch { return null; } };
const pkg = (name) => {
  const file = new URL(`anchors/node_modules/${name}/package.json`, import.meta.url);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
};
const genq = process.env.GENQ ?? 'build/genq';

const machine = {
  nproc: os.cpus().length,
  model_name: os.cpus()[0]?.model ?? null,
  kernel: `${os.type()} ${os.release()} ${os.arch()}`,
  memory_gib: Math.round(os.totalmem() / 2 ** 30),
  loadavg_at_end: os.loadavg().map((v) => Number(v.toFixed(2))),
};
const versions = {
  genq: sh(`${genq} --version`),
  genq_commit: sh('git rev-parse --short HEAD'),
  redis: sh('redis-server --version')?.match(/v=(\S+)/)?.[1] ?? null,
  postgres: sh(`${process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'}/postgres --version`)?.replace(/^postgres \(PostgreSQL\) /, '') ?? null,
  nginx: shAll('nginx -v')?.replace(/^nginx version: nginx\//, '') ?? null,
  wrk: shAll('wrk -v || true')?.split('\n')[0]?.split(' ')[1] ?? null,
  sqlite3_cli: sh('sqlite3 --version')?.split(' ')[0] ?? null,
  gnuplot: sh('gnuplot --version'),
  node: process.version,
  npm: Object.fromEntries(['bullmq', 'ioredis', 'pg-boss', 'graphile-worker', 'pg', 'ws', 'pusher-js', 'autocannon']
    .map((n) => [n, pkg(n)])),
};

function stats(measure, system) {
  const rows = raw.filter((r) => r.measure === measure && r.system === system && Number.isFinite(r.value));
  if (rows.length === 0) return null;
  const values = rows.map((r) => r.value);
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { system, runs: values, median, min: sorted[0], max: sorted.at(-1), unit: rows[0].unit, extra: rows.map((r) => r.extra) };
}
const medianOf = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : null; };

// Each row of the table. `better`: which way is good. Target: `ratio` compares
// genq's median with the anchor's; `absolute` compares genq's median with a bound.
const ROWS = [
  { id: 'durable_submits', title: 'durable submits/s over HTTP, 64 connections, crash-safe ack',
    anchor: 'bullmq', anchorLabel: 'BullMQ add(), 64 in flight, Redis AOF everysec', target: { kind: 'ratio', op: '>=', value: 1.0 } },
  { id: 'e2e_jobs', title: 'end-to-end jobs/s, submit → claim → complete, no-op workers',
    anchor: 'bullmq', anchorLabel: 'BullMQ add() + Worker drain, concurrency 64', target: { kind: 'ratio', op: '>=', value: 1.0 } },
  { id: 'status_polling', title: 'polling GET request-status req/s, 64 connections',
    anchor: 'nginx', anchorLabel: 'nginx, static file of the same size, same wrk command', target: { kind: 'ratio', op: '>=', value: 0.7 } },
  { id: 'final_event_p99', title: 'submit → final WebSocket event p99 at 100 jobs/s',
    anchor: 'bullmq', anchorLabel: 'BullMQ add() → QueueEvents `completed`', target: { kind: 'ratio', op: '<=', value: 1.0 }, p50: true },
  { id: 'ws_idle_memory', title: 'memory per idle WebSocket connection',
    anchor: 'node_ws', anchorLabel: 'Node `ws` server', target: { kind: 'ratio', op: '<=', value: 0.25 } },
  { id: 'ws_fanout', title: 'fan-out messages/s to subscribers of one channel',
    anchor: 'node_ws', anchorLabel: 'Node `ws` broadcast', target: { kind: 'ratio', op: '>=', value: 2.0 } },
  { id: 'webhook_deliveries', title: 'webhook deliveries/s to a local receiver', target: { kind: 'absolute', op: '>=', value: 2000 } },
  { id: 'webhook_pending_memory', title: 'RSS added with deliveries pending retry', target: { kind: 'absolute', op: '<', value: 100 } },
  { id: 'deep_status_p99_done', title: 'status GET p99, stored finished jobs: deep vs 1,000', genqSystem: 'genq_deep',
    anchor: 'genq_1k', anchorLabel: 'genq with 1,000 stored jobs', target: { kind: 'ratio', op: '<=', value: 1.5 } },
  { id: 'deep_submits_done', title: 'submits/s, stored finished jobs: deep vs 1,000', genqSystem: 'genq_deep',
    anchor: 'genq_1k', anchorLabel: 'genq with 1,000 stored jobs', target: { kind: 'ratio', op: '>=', value: 0.8 } },
  { id: 'deep_status_p99_pending', title: 'status GET p99, pending queue: deep vs 1,000', genqSystem: 'genq_deep',
    anchor: 'genq_1k', anchorLabel: 'genq with 1,000 pending jobs', target: { kind: 'ratio', op: '<=', value: 1.5 } },
  { id: 'deep_submits_pending', title: 'submits/s, pending queue: deep vs 1,000', genqSystem: 'genq_deep',
    anchor: 'genq_1k', anchorLabel: 'genq with 1,000 pending jobs', target: { kind: 'ratio', op: '>=', value: 0.8 } },
  { id: 'pg_submits', title: 'PostgreSQL store submits/s, 64 in flight', anchors: ['pg-boss', 'graphile-worker'],
    anchorLabel: 'better of pg-boss send() / graphile-worker addJob()', target: { kind: 'ratio', op: '>=', value: 3.0 } },
  { id: 'pg_status_polling', title: 'polling GET request-status req/s, 64 connections, PostgreSQL store',
    anchor: 'nginx', anchorLabel: 'nginx, static file of the same size, same wrk command', target: { kind: 'ratio', op: '>=', value: 0.5 } },
  { id: 'pg_e2e_1', measure: 'pg_e2e_jobs', genqSystem: 'genq_1', title: 'end-to-end jobs/s on PostgreSQL, 1 node (no target)' },
  { id: 'pg_e2e_2', measure: 'pg_e2e_jobs', genqSystem: 'genq_2', title: 'end-to-end jobs/s on PostgreSQL + Redis bus, 2 nodes vs 1 (no target)',
    anchor: 'genq_1', anchorLabel: 'genq, 1 node, same run' },
  { id: 'pg_e2e_3', measure: 'pg_e2e_jobs', genqSystem: 'genq_3', title: 'end-to-end jobs/s on PostgreSQL + Redis bus, 3 nodes vs 1 (no target)',
    anchor: 'genq_1', anchorLabel: 'genq, 1 node, same run' },
  { id: 'idle_rss', title: 'idle server RSS', target: { kind: 'absolute', op: '<=', value: 30 } },
  { id: 'start_to_ready', title: 'start to ready (spawn → first HTTP answer, fresh data dir)', target: { kind: 'absolute', op: '<=', value: 100 } },
  { id: 'submit_to_claim_p99', title: 'submit → claim by a waiting worker, p99 (no target)' },
  { id: 'result_download', title: 'download of a 200 MB result (result_url), MB/s',
    anchor: 'nginx', anchorLabel: 'nginx serving the same file, sendfile on', target: { kind: 'ratio', op: '>=', value: 0.5 } },
  { id: 'result_upload', title: 'worker upload of a 200 MB result (PUT with Content-Length), MB/s (no target)' },
  { id: 'transfer_rss', title: 'genq peak RSS added while moving 200 MB results', target: { kind: 'absolute', op: '<', value: 64 } },
  { id: 'sync_wait_held_rss', title: 'RSS while holding 10,000 `Prefer: wait` submits (no target)' },
  { id: 'sync_wait_held_threads', title: 'threads while holding 10,000 `Prefer: wait` submits (no target)' },
  { id: 'sync_wait_answered', title: 'held `Prefer: wait` submits answered/s once a worker runs their jobs (no target)' },
  { id: 'sse_streams_held_rss', title: 'RSS while holding 10,000 status streams (SSE) (no target)' },
  { id: 'sse_streams_held_threads', title: 'threads while holding 10,000 status streams (SSE) (no target)' },
  { id: 'sse_streams_ended', title: 'held status streams ended with their `done` state/s once a worker runs their jobs (no target)' },
];

const compare = (a, op, b) => ({ '>=': a >= b, '<=': a <= b, '<': a < b, '>': a > b })[op];
const measures = [];
for (const row of ROWS) {
  const measureId = row.measure ?? row.id;
  const g = row.missing ? null : stats(measureId, row.genqSystem ?? 'genq');
  let anchor = null;
  if (row.anchors) {
    const all = row.anchors.map((s) => stats(measureId, s)).filter(Boolean);
    const best = all.sort((x, y) => y.median - x.median)[0] ?? null;
    anchor = best && { ...best, name: best.system, all: all.map(({ system, runs, median, min, max }) => ({ system, runs, median, min, max })) };
  } else if (row.anchor) {
    const s = stats(measureId, row.anchor);
    anchor = s && { ...s, name: row.anchor };
  }
  if (!g && !anchor) continue;  // not part of this run
  const ratio = g && anchor ? g.median / anchor.median : null;
  let met = null;
  if (row.missing) met = false;
  else if (row.target?.kind === 'ratio' && ratio !== null) met = compare(ratio, row.target.op, row.target.value);
  else if (row.target?.kind === 'absolute' && g) met = compare(g.median, row.target.op, row.target.value);
  const m = {
    id: row.id, title: row.title, unit: (g ?? anchor).unit,
    genq: g && { runs: g.runs, median: g.median, min: g.min, max: g.max },
    genq_note: row.missing ?? null,
    anchor: anchor && { name: anchor.name, label: row.anchorLabel, runs: anchor.runs, median: anchor.median,
      min: anchor.min, max: anchor.max, ...(anchor.all ? { all: anchor.all } : {}) },
    ratio, target: row.target ?? null, met,
    details: { genq: g?.extra ?? null, anchor: anchor?.extra ?? null },
  };
  if (row.p50) {
    m.p50_ms = { genq: medianOf((g?.extra ?? []).map((e) => e.p50_ms)), anchor: medianOf((anchor?.extra ?? []).map((e) => e.p50_ms)) };
  }
  measures.push(m);
}

// Throughput against load for the submit plot: the sweep plus the 64-connection runs.
const sweep = {};
for (const system of ['genq', 'bullmq']) {
  const points = new Map();
  for (const r of raw.filter((x) => (x.measure === 'submits_sweep' || x.measure === 'durable_submits') && x.system === system)) {
    const c = r.extra.connections;
    points.set(c, [...(points.get(c) ?? []), r.value]);
  }
  sweep[system] = [...points].sort((a, b) => a[0] - b[0]).map(([c, vs]) => ({ connections: c, per_s: medianOf(vs), runs: vs }));
}

// Latency CDF for the plot: every job of every run pooled, 200 quantiles.
const cdf = {};
if (samplesDir && existsSync(samplesDir)) {
  for (const system of ['genq', 'bullmq']) {
    const files = readdirSync(samplesDir).filter((f) => f.startsWith(`latency-${system}-`));
    const all = files.flatMap((f) => readFileSync(join(samplesDir, f), 'utf8').split('\n').filter(Boolean).map(Number))
      .sort((a, b) => a - b);
    if (all.length) {
      cdf[system] = { jobs: all.length, points: Array.from({ length: 201 }, (_, i) => {
        const q = i / 200;
        return [Number(all[Math.min(all.length - 1, Math.floor(q * (all.length - 1)))].toFixed(3)), q];
      }) };
    }
  }
}

const doc = {
  date: new Date().toISOString(),
  mode,
  wall_seconds: Number(wallText),
  machine,
  versions,
  core_split: {
    server_cpu: process.env.SERVER_CPU ?? '0',  // a CPU list such as "0-7" on a bigger machine
    load_cpu: process.env.LOAD_CPU ?? '1',
    note: 'every server under test (genq, redis-server, nginx, postgres, the Node ws server) is pinned to server_cpu with taskset; every load generator, client and worker (wrk, Node scripts, C++ WebSocket clients) to load_cpu',
  },
  durability: {
    genq: 'default configuration: SQLite WAL, synchronous=FULL; a submit or a completion is answered after its commit is fsynced (group commit); claims, heartbeats and progress commit without waiting for the fsync (a crash can only make such a job run again)',
    redis: 'appendonly yes, appendfsync everysec (an acknowledged add can be lost in the last second before a crash)',
    postgres: 'initdb defaults: fsync=on, synchronous_commit=on, full_page_writes=on',
  },
  measures,
  plots: { submits_sweep: sweep, latency_cdf: cdf },
};
writeFileSync(outFile, JSON.stringify(doc, null, 2) + '\n');
console.log(`collect: ${measures.length} measures -> ${outFile}`);
