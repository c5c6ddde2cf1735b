// Nothing read before trust (docs/security.md): a request without valid credentials is
// answered from its headers, before genq reads, buffers or spools its body, and before
// it sends 100 Continue. Result uploads are spooled only under a current lease; an
// aborted upload and a crashed process's spool files are deleted.
//
// Before: 20 chunked 63 MiB submits without a key took genq from 34 MB to 1.44 GB, and
// three clients left 600 MiB of unauthenticated uploads in DATA/blobs/tmp in 8 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GENQ, Harness, submitJob, waitFor } from './support/harness.mjs';
import { wav } from './support/deapi_sdk.mjs';

const execFileP = promisify(execFile);
const MiB = 1024 * 1024;

async function rssBytes(pid, field = 'VmRSS') {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))[1]) * 1024;
}

// The files under `dir`, at any depth, whose size passes `wanted`.
// (A walk of its own: readdir's `recursive` differs across the Node versions we run on.)
async function findFiles(dir, wanted) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...await findFiles(path, wanted));
    else if (entry.isFile() && wanted((await stat(path)).size)) found.push(path);
  }
  return found;
}

// The heap's share of the resident memory (RssAnon), sampled every 20 ms while `work`
// runs: a spooled body's pages are the file's (RssFile), which the kernel may drop.
async function heapGrowth(pid, work) {
  const before = await rssBytes(pid, 'RssAnon');
  let peak = before;
  const sampler = setInterval(async () => {
    try { peak = Math.max(peak, await rssBytes(pid, 'RssAnon')); } catch { /* exited */ }
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, await rssBytes(pid, 'RssAnon'));
    return { result, before, peak, grew: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

// Sends `head`, then chunked (or raw, with Content-Length) body bytes until the server
// answers or `bodyBytes` are sent. Resolves with the answer's first line, how much body
// went out before it, and whether 100 Continue came first.
function streamRequest(port, head, { bodyBytes, chunked = true, waitForContinue = false }) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const chunk = Buffer.alloc(MiB, 0x7b);
    let sent = 0;
    let answer = '';
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(result);
    };
    const pump = () => {
      while (!done && sent < bodyBytes) {
        const piece = chunk.subarray(0, Math.min(MiB, bodyBytes - sent));
        sent += piece.length;
        const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece,
          Buffer.from('\r\n')]) : piece;
        if (!socket.write(framed)) return socket.once('drain', pump);
      }
      if (!done && chunked && sent >= bodyBytes) socket.write('0\r\n\r\n');
    };
    socket.on('error', (error) => {
      if (answer) finish({ status: answer.split('\r\n')[0], sent, sawContinue: /^HTTP\/1\.1 100/.test(answer) });
      else if (!done) { done = true; reject(error); }
    });
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      const lines = answer.split('\r\n\r\n');
      if (waitForContinue && /^HTTP\/1\.1 100/.test(answer) && lines.length > 1 && !/HTTP\/1\.1 [2-5]/.test(lines[1])) {
        return finish({ status: 'HTTP/1.1 100 Continue', sent, sawContinue: true });
      }
      if (/^HTTP\/1\.1 [2-5]\d\d/.test(answer)) finish({ status: answer.split('\r\n')[0], sent, sawContinue: false });
    });
    socket.once('connect', () => {
      socket.write(head);
      if (!waitForContinue) pump();
    });
  });
}

async function workerToken(dataDir) {
  const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dataDir]);
  return JSON.parse(stdout).token;
}

test('unauthenticated 63 MiB submits are refused from their headers and cost no memory', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const server = await h.startServer(dir);
    const before = await rssBytes(server.proc.pid);
    let peak = before;
    const sampler = setInterval(async () => {
      try { peak = Math.max(peak, await rssBytes(server.proc.pid)); } catch { /* exited */ }
    }, 20);
    const head = 'POST /api/v1/client/txt2img HTTP/1.1\r\nHost: genq\r\nAuthorization: Bearer not-a-key\r\n' +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 },
      () => streamRequest(server.port, head, { bodyBytes: 63 * MiB })));
    const elapsed = Date.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, await rssBytes(server.proc.pid));
    const sentMiB = answers.reduce((sum, a) => sum + a.sent, 0) / MiB;
    console.log(`20 unauthenticated 63 MiB submits: answered in ${elapsed} ms, ${sentMiB.toFixed(0)} MiB sent ` +
      `before the answers, genq RSS ${(before / MiB).toFixed(1)} -> peak ${(peak / MiB).toFixed(1)} MiB`);
    for (const a of answers) assert.equal(a.status, 'HTTP/1.1 401 Unauthorized');
    assert.ok(peak - before < 32 * MiB, `genq grew by ${((peak - before) / MiB).toFixed(1)} MiB`);
  } finally {
    await h.cleanup();
  }
});

// With a valid key the body is read (it is the submit): a multipart one is spooled to
// disk as it arrives and its parts capped (docs/security.md, "Multipart caps"). A 63 MiB
// body of empty parts once took +337 MiB, then +64 MiB while it was held in memory.
test('a 63 MiB multipart body of empty parts is refused at its 257th part, costing the heap almost nothing', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const server = await h.startServer(dir);
    const client = await h.createClient(dir);
    const part = Buffer.from('--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n');
    const count = Math.floor(63 * MiB / part.length);
    const body = Buffer.concat([Buffer.alloc(part.length * count, part), Buffer.from('--XX--\r\n')]);
    // vid2txt: a video field, so an 80 MiB body limit (txt2img's, without files, is 1 MiB).
    const { result: res, before, peak, grew } = await heapGrowth(server.proc.pid, () =>
      fetch(`${server.url}/api/v1/client/vid2txt`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${client.api_key}`, 'Content-Type': 'multipart/form-data; boundary=XX' },
        body,
      }));
    const answer = await res.json();
    console.log(`${count} empty parts in ${(body.length / MiB).toFixed(1)} MiB: ${res.status}, ` +
      `genq heap (RssAnon) ${(before / MiB).toFixed(1)} -> peak ${(peak / MiB).toFixed(1)} MiB`);
    assert.equal(res.status, 400, JSON.stringify(answer));
    assert.match(answer.message, /more than 256 parts/);
    assert.ok(grew < 16 * MiB, `genq's heap grew by ${(grew / MiB).toFixed(1)} MiB`);
    assert.deepEqual(await readdir(join(dir, 'blobs', 'tmp')), [], 'the spooled body was deleted');
  } finally {
    await h.cleanup();
  }
});

test('a 70 MB recording submitted as multipart is spooled, not held: the heap stays flat and the input is whole', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const server = await h.startServer(dir);
    const client = await h.createClient(dir);
    const recording = wav(35 * 1000 * 1000);  // 36 min of 8 kHz 16-bit mono
    const form = new FormData();
    form.append('model', 'WhisperLargeV3');
    form.append('include_ts', 'false');
    form.append('audio', new Blob([recording], { type: 'audio/wav' }), 'interview.wav');
    const { result: res, before, peak, grew } = await heapGrowth(server.proc.pid, () =>
      fetch(`${server.url}/api/v1/client/transcribe`, {
        method: 'POST', headers: { Authorization: `Bearer ${client.api_key}` }, body: form,
      }));
    const answer = await res.json();
    console.log(`a ${(recording.length / 1e6).toFixed(0)} MB recording: ${res.status}, ` +
      `genq heap (RssAnon) ${(before / MiB).toFixed(1)} -> peak ${(peak / MiB).toFixed(1)} MiB`);
    assert.equal(res.status, 200, JSON.stringify(answer));
    // Held in memory it cost the body and a copy of the file: +140 MB.
    assert.ok(grew < 24 * MiB, `genq's heap grew by ${(grew / MiB).toFixed(1)} MiB`);
    assert.deepEqual(await readdir(join(dir, 'blobs', 'tmp')), [], 'the spooled body was deleted');
    const inputs = await findFiles(join(dir, 'blobs'), (size) => size === recording.length);
    assert.equal(inputs.length, 1, 'the recording is stored once, byte for byte its size');
    assert.ok((await readFile(inputs[0])).equals(recording), 'the stored input is the recording');
  } finally {
    await h.cleanup();
  }
});

test('a wrong key with Expect: 100-continue gets its 401 instead of 100 Continue', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const server = await h.startServer(dir);
    const { api_key: apiKey } = await h.createClient(dir);
    const head = (key) => `POST /api/v1/client/txt2img HTTP/1.1\r\nHost: genq\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${256 * 1024}\r\nExpect: 100-continue\r\n\r\n`;
    const refused = await streamRequest(server.port, head('not-a-key'), { bodyBytes: 0, waitForContinue: true });
    assert.equal(refused.status, 'HTTP/1.1 401 Unauthorized');
    assert.equal(refused.sawContinue, false);
    // The same request with a valid key is invited to send its body.
    const invited = await streamRequest(server.port, head(apiKey), { bodyBytes: 0, waitForContinue: true });
    assert.equal(invited.status, 'HTTP/1.1 100 Continue');
  } finally {
    await h.cleanup();
  }
});

test('result uploads are spooled only under a current lease; aborted ones are deleted', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const spool = join(dir, 'blobs', 'tmp');
    const server = await h.startServer(dir);
    const { api_key: apiKey } = await h.createClient(dir);
    const token = await workerToken(dir);
    const jobId = await submitJob(server.url, apiKey);
    const claim = await fetch(`${server.url}/api/v1/worker/claim`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ worker_id: 'w1', models: ['Flux1schnell'], wait_ms: 5000 }),
    });
    const [lease] = (await claim.json()).jobs;
    assert.equal(lease.job_id, jobId);

    const put = (path, auth) => `PUT ${path} HTTP/1.1\r\nHost: genq\r\n${auth ? `Authorization: Bearer ${auth}\r\n` : ''}` +
      'Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n';
    const refusals = [
      [put(`/api/v1/worker/jobs/${jobId}/result?lease_id=${lease.lease_id}`, ''), 'HTTP/1.1 401 Unauthorized'],
      [put(`/api/v1/worker/jobs/${jobId}/result?lease_id=${lease.lease_id}`, 'wrong-token'), 'HTTP/1.1 401 Unauthorized'],
      [put(`/api/v1/worker/jobs/${jobId}/result?lease_id=ls_not_the_lease`, token), 'HTTP/1.1 409 Conflict'],
      [put(`/api/v1/worker/jobs/${jobId}/result`, token), 'HTTP/1.1 422 Unprocessable Entity'],
      [put(`/api/v1/worker/jobs/00000000-0000-7000-8000-000000000000/result?lease_id=${lease.lease_id}`, token),
        'HTTP/1.1 404 Not Found'],
    ];
    for (const [head, status] of refusals) {
      const answer = await streamRequest(server.port, head, { bodyBytes: 32 * MiB });
      assert.equal(answer.status, status, head.split('\r\n')[0]);
      assert.deepEqual(await readdir(spool), [], `nothing spooled for ${head.split('\r\n')[0]}`);
    }

    // A worker that dies mid-upload: its spool file goes with the connection.
    const socket = createConnection({ host: '127.0.0.1', port: server.port });
    await new Promise((r) => socket.once('connect', r));
    socket.write(put(`/api/v1/worker/jobs/${jobId}/result?lease_id=${lease.lease_id}`, token));
    const piece = Buffer.alloc(MiB, 1);
    for (let i = 0; i < 4; i += 1) socket.write(Buffer.concat([Buffer.from(`${MiB.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    await waitFor(async () => (await readdir(spool)).length === 1, { message: 'the upload being spooled' });
    socket.destroy();
    await waitFor(async () => (await readdir(spool)).length === 0, { message: 'the aborted upload deleted' });
  } finally {
    await h.cleanup();
  }
});

test('spool files a crashed process left are deleted at start', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const spool = join(dir, 'blobs', 'tmp');
    await mkdir(spool, { recursive: true });
    await writeFile(join(spool, 'up_leftover.1'), Buffer.alloc(3 * MiB));
    await h.startServer(dir);
    assert.deepEqual(await readdir(spool), []);
  } finally {
    await h.cleanup();
  }
});
