// Helpers shared by the Node load clients and anchors of `make bench`.
import http from 'node:http';
import { writeFileSync } from 'node:fs';

// --name value pairs into an object; numbers stay strings (the caller converts).
export function args(defaults = {}) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A keep-alive HTTP/1.1 JSON client: one pooled connection per request in flight.
export function jsonClient(base, bearer, sockets) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  return function call(method, path, body) {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: url.hostname, port: url.port, method, path, agent,
        headers: {
          Authorization: `Bearer ${bearer}`,
          ...(data !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}),
        },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) {
            const err = new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
            err.status = res.statusCode;
            reject(err);
            return;
          }
          resolve(text.length ? JSON.parse(text) : null);
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Writes latencies (ms, one a line, sorted) for the CDF plot.
export function writeSamples(file, sorted) {
  if (file) writeFileSync(file, sorted.map((v) => v.toFixed(3)).join('\n') + '\n');
}

// Open-loop latency: starts `submit()` (resolving with a job id) at `rate` per second
// for `seconds`; `doneAt` is the map the caller's event listener fills with
// id -> performance.now() at the job's final event. Waits up to 60 s for the last
// ones, writes the sorted latencies to `samples` and prints the RESULT line.
export async function openLoopLatency({ rate, seconds, submit, doneAt, samples }) {
  const total = Math.round(rate * seconds);
  const started = [];
  let failures = 0;
  const t0 = performance.now();
  const submits = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const at = performance.now();
    submits.push(submit().then((id) => started.push([id, at]), () => { failures += 1; }));
  }
  await Promise.all(submits);
  const offered = total / ((performance.now() - t0) / 1000);
  const deadline = performance.now() + 60000;
  while (started.some(([id]) => !doneAt.has(id)) && performance.now() < deadline) await sleep(20);
  const lat = started.filter(([id]) => doneAt.has(id)).map(([id, at]) => doneAt.get(id) - at).sort((x, y) => x - y);
  writeSamples(samples, lat);
  console.log(`RESULT p50_ms=${percentile(lat, 50).toFixed(2)} p99_ms=${percentile(lat, 99).toFixed(2)} ` +
    `max_ms=${lat.at(-1).toFixed(2)} jobs=${lat.length} total=${total} failed=${failures} offered_per_s=${offered.toFixed(1)}`);
}

// Runs `op` with `inFlight` copies in flight until `seconds` pass; returns ops/s.
export async function closedLoop(op, inFlight, seconds) {
  let done = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      try { await op(); done += 1; } catch (e) { errors += 1; if (errors < 5) console.error(e.message); }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsed = (performance.now() - t0) / 1000;
  return { done, errors, seconds: elapsed, perS: done / elapsed };
}

// The payload every submit benchmark sends: the README's txt2img parameters.
export const TXT2IMG = { prompt: 'a beautiful sunset over mountains', model: 'Flux1schnell', width: 512, height: 512, steps: 4, seed: -1 };
// Text-output jobs for the end-to-end and latency runs (no file upload needed).
export const EMBED = { model: 'Bge_M3_FP16', input: 'the quick brown fox' };
export const EMBED_RESULT = { embedding: [0.1, 0.2, 0.3] };
