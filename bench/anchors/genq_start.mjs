// genq start to ready and idle RSS: spawns `genq serve` (default configuration) on a
// fresh data directory, times from spawn until the first HTTP answer (GET
// /api/v1/client/models without a key -> 401 is an answer), then reads the idle
// server's RSS after SETTLE ms. The spawn goes through `taskset` when --cpu is given.
//   node genq_start.mjs --genq BIN --data DIR [--cpu 0] [--settle 2000]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { args, sleep } from './common.mjs';

const a = args({ settle: '2000' });
const argv = ['serve', '--listen', '127.0.0.1:0', '--data', a.data, '--log-level', 'warn'];
const t0 = performance.now();
const proc = a.cpu !== undefined ? spawn('taskset', ['-c', a.cpu, a.genq, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] })
  : spawn(a.genq, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  proc.stdout.on('data', (d) => { out += d; const m = out.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
  proc.once('exit', (code) => reject(new Error(`genq exited ${code}`)));
});
const listening = performance.now() - t0;
const get = () => new Promise((resolve) => {
  const req = http.get(`${url}/api/v1/client/models`, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
  req.on('error', () => resolve(0));
});
while ((await get()) === 0) await sleep(1);
const ready = performance.now() - t0;
await sleep(Number(a.settle));
const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
const rssKb = Number(status.match(/VmRSS:\s+(\d+) kB/)[1]);
console.log(`RESULT ready_ms=${ready.toFixed(1)} listening_ms=${listening.toFixed(1)} idle_rss_mb=${(rssKb / 1024).toFixed(1)}`);
proc.kill('SIGTERM');
await new Promise((r) => proc.once('exit', r));
