// The Python worker (workers/python, `python3 -m genq_worker`) against the real
// server: it never runs more jobs than --concurrency, SIGTERM lets a running job
// finish (or hands it back once the grace period is over) and claims nothing more,
// it reconnects when the server was away, --synthetic finishes a job of every
// output kind, a --handler's failure becomes the job's error, and the token never
// needs the command line. The C++ worker-driven suites run against it too
// (ctest names starting python_worker.).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Harness, submitJob, waitFor } from './support/harness.mjs';
import { png, wav } from './support/deapi_sdk.mjs';
import {
  PYTHON, PYTHON_WORKER_DIR, createWorkerToken, jobStatus, startPythonWorker, submit,
} from './support/python_worker.mjs';

const execFileP = promisify(execFile);

async function setUp(h, serverArgs = []) {
  const dir = await h.tempDir();
  const server = await h.startServer(dir, { args: serverArgs });
  const client = await h.createClient(dir);
  const status = (id) => jobStatus(server.url, client.api_key, id);
  const submitImage = (overrides) => submitJob(server.url, client.api_key, overrides);
  return { dir, server, client, status, submitImage };
}

const running = (s) => s.status === 'processing';
const progressing = (s) => s.status === 'processing' && s.progress > 0;
const final = (s) => (s.status === 'done' || s.status === 'error' ? s : undefined);

test('the Python worker never runs more jobs than --concurrency, and uses all its slots', async () => {
  const h = new Harness();
  try {
    const { dir, server, status, submitImage } = await setUp(h);
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await submitImage({ steps: 3 }));
    const worker = await startPythonWorker(h, server.url, dir, ['--synthetic', '--concurrency', '2', '--step-delay-ms', '150']);
    let most = 0;
    await waitFor(async () => {
      const statuses = await Promise.all(ids.map(status));
      most = Math.max(most, statuses.filter(running).length);
      return statuses.every((s) => s.status === 'done');
    }, { timeoutMs: 30000, message: `all six jobs done; worker log:\n${worker.log()}` });
    assert.ok(most <= 2, `${most} jobs ran at once with --concurrency 2`);
    assert.equal(most, 2, 'the worker should fill both slots');
  } finally {
    await h.cleanup();
  }
});

test('on SIGTERM the Python worker finishes its running job, claims nothing more and exits 0', async () => {
  const h = new Harness();
  try {
    const { dir, server, status, submitImage } = await setUp(h);
    const first = await submitImage({ steps: 4 });
    const worker = await startPythonWorker(h, server.url, dir, ['--synthetic', '--step-delay-ms', '300']);
    await waitFor(async () => progressing(await status(first)), { timeoutMs: 30000, message: `the job to start:\n${worker.log()}` });

    worker.kill('SIGTERM');
    const later = await submitImage({ steps: 1 });
    const exit = await Promise.race([worker.exited, new Promise((r) => setTimeout(() => r('still running'), 15000))]);
    assert.deepEqual(exit, { code: 0, signal: null }, `worker log:\n${worker.log()}`);
    assert.equal((await status(first)).status, 'done', 'the running job was finished');
    assert.equal((await status(later)).status, 'pending', 'nothing was claimed after SIGTERM');
  } finally {
    await h.cleanup();
  }
});

test('past --grace-ms the Python worker hands its job back to the queue and exits 0', async () => {
  const h = new Harness();
  try {
    const { dir, server, status, submitImage } = await setUp(h);
    const id = await submitImage({ steps: 4 });
    const worker = await startPythonWorker(h, server.url, dir, ['--synthetic', '--step-delay-ms', '1000', '--grace-ms', '200']);
    await waitFor(async () => progressing(await status(id)), { timeoutMs: 30000, message: `the job to start:\n${worker.log()}` });

    worker.kill('SIGTERM');
    const exit = await Promise.race([worker.exited, new Promise((r) => setTimeout(() => r('still running'), 10000))]);
    assert.deepEqual(exit, { code: 0, signal: null }, `worker log:\n${worker.log()}`);
    // Handed back, not left to expire: pending at once, long before the 30 s lease.
    const after = await status(id);
    assert.equal(after.status, 'pending', JSON.stringify(after));
    assert.equal(after.attempts, 0, `released, so the attempt is not counted: ${JSON.stringify(after)}`);

    const rescuer = await startPythonWorker(h, server.url, dir, ['--synthetic', '--step-delay-ms', '5']);
    await waitFor(async () => (await status(id)).status === 'done',
      { timeoutMs: 20000, message: `the handed-back job to be done by another worker:\n${rescuer.log()}` });
  } finally {
    await h.cleanup();
  }
});

test('the Python worker reconnects after the server was away and takes the next job', async () => {
  const h = new Harness();
  try {
    const { dir, server, client } = await setUp(h);
    const relay = await h.relayTo(server);
    const worker = await startPythonWorker(h, relay.url, dir, ['--synthetic', '--step-delay-ms', '5']);
    await waitFor(() => worker.log().includes('worker '), { message: 'the worker to start' });

    await h.stop(server.proc);
    relay.away();
    await waitFor(() => worker.log().includes('retrying in'), { message: `the worker to notice:\n${worker.log()}` });
    const again = await h.startServer(dir);
    relay.pointTo(again.port);
    const id = await submitJob(again.url, client.api_key, { steps: 2 });
    await waitFor(async () => (await jobStatus(again.url, client.api_key, id)).status === 'done',
      { timeoutMs: 45000, message: `the job after the restart; worker log:\n${worker.log()}` });
    assert.equal(worker.exitCode, null, 'the worker kept running');
  } finally {
    await h.cleanup();
  }
});

test('--synthetic finishes a job of every output kind: image with previews, edit, audio, video, text, json', async () => {
  const h = new Harness();
  try {
    const { dir, server, client, status } = await setUp(h);
    const key = client.api_key;
    const jobs = {
      image: await submit(server.url, key, 'txt2img', { model: 'Flux1schnell', prompt: 'x', width: 320, height: 256, steps: 4 }),
      edit: await submit(server.url, key, 'img2img', { model: 'Flux_2_Klein_4B_BF16', prompt: 'y', width: 256, height: 272, steps: 4 },
        { image: [png(40, 24), 'image/png', 'in.png'] }),
      audio: await submit(server.url, key, 'txt2audio', { model: 'Kokoro', text: 'two words', format: 'wav' }),
      video: await submit(server.url, key, 'txt2video', { model: 'Ltxv_13B_0_9_8_Distilled_FP8', prompt: 'z', width: 256, height: 256, frames: 30, fps: 30, steps: 1 }),
      text: await submit(server.url, key, 'aud2txt', { model: 'WhisperLargeV3' }, { audio: [wav(800), 'audio/wav', 'a.wav'] }),
      json: await submit(server.url, key, 'txt2embedding', { model: 'Bge_M3_FP16', input: 'embed me' }),
    };
    const seen = { progress: [], preview: false };
    const worker = await startPythonWorker(h, server.url, dir, ['--synthetic', '--concurrency', '3', '--step-delay-ms', '50']);
    const done = await waitFor(async () => {
      const all = {};
      for (const [kind, id] of Object.entries(jobs)) {
        const s = await status(id);
        if (kind === 'image' && s.status === 'processing') {
          seen.progress.push(s.progress);
          seen.preview ||= typeof s.preview === 'string' && s.preview.startsWith('data:image/jpeg;base64,');
        }
        if (!final(s)) return undefined;
        all[kind] = s;
      }
      return all;
    }, { timeoutMs: 30000, message: `every job final; worker log:\n${worker.log()}` });
    for (const [kind, s] of Object.entries(done)) assert.equal(s.status, 'done', `${kind}: ${JSON.stringify(s)}`);

    const download = async (s) => Buffer.from(await (await fetch(s.result_url)).arrayBuffer());
    const image = await download(done.image);
    assert.equal(image.toString('latin1', 1, 4), 'PNG');
    assert.deepEqual([image.readUInt32BE(16), image.readUInt32BE(20)], [320, 256], 'the requested size');
    const edit = await download(done.edit);
    assert.deepEqual([edit.readUInt32BE(16), edit.readUInt32BE(20)], [256, 272], 'the requested size');
    const audio = await download(done.audio);
    assert.equal(audio.toString('latin1', 0, 4), 'RIFF');
    assert.equal(audio.toString('latin1', 8, 12), 'WAVE');
    const video = await download(done.video);
    assert.equal(video.toString('latin1', 4, 8), 'ftyp');
    assert.match(done.text.result, /^Synthetic aud2txt output of WhisperLargeV3 for audio of \d+ bytes\.$/);
    const embedding = JSON.parse(done.json.result);  // json results read inline as JSON text
    assert.equal(embedding.embedding.length, 1024);
    assert.ok(seen.preview, `image jobs show JPEG previews; progress seen: ${seen.progress}`);
  } finally {
    await h.cleanup();
  }
});

test('a --handler module serves jobs; its exception is the job error, InvalidInput its code', async () => {
  const h = new Harness();
  const moduleDir = await mkdtemp(join(tmpdir(), 'genq-handler-'));
  try {
    const { dir, server, client, status } = await setUp(h);
    await writeFile(join(moduleDir, 'my_model.py'), [
      'import genq_worker',
      'def generate(job, ctx):',
      '    if job.params["prompt"] == "bad":',
      '        raise genq_worker.InvalidInput("the prompt is bad")',
      '    if job.params["prompt"] == "boom":',
      '        raise RuntimeError("the model exploded")',
      '    for step in range(1, 4):',
      '        ctx.progress(step * 33)',
      '    return genq_worker.Output.file_of(b"\\x89PNG-not-really", "image/png")',
      '',
    ].join('\n'));
    const ok = await submitJob(server.url, client.api_key, { prompt: 'fine' });
    const bad = await submitJob(server.url, client.api_key, { prompt: 'bad' });
    const boom = await submitJob(server.url, client.api_key, { prompt: 'boom' });
    // The handler's module is found on PYTHONPATH, as a user's own would be.
    const worker = await startPythonWorker(h, server.url, dir, ['--handler', 'my_model:generate', '--models', 'Flux1schnell'],
      { env: { PYTHONPATH: moduleDir } });
    const ends = await waitFor(async () => {
      const all = await Promise.all([ok, bad, boom].map(status));
      return all.every(final) ? all : undefined;
    }, { timeoutMs: 20000, message: `three jobs final:\n${worker.log()}` });
    assert.equal(ends[0].status, 'done', JSON.stringify(ends[0]));
    const body = Buffer.from(await (await fetch(ends[0].result_url)).arrayBuffer());
    assert.equal(body.toString('latin1'), '\x89PNG-not-really', 'the bytes the handler returned');
    assert.equal(ends[1].status, 'error');
    assert.equal(ends[1].error, 'the prompt is bad');
    assert.equal(ends[2].status, 'error');
    assert.equal(ends[2].error, 'the model exploded');
    assert.equal(ends[2].failure_detail, undefined, 'the client does not see the traceback');
    // The operator does: the handler's traceback, in the admin API.
    const admin = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    const view = (await (await fetch(`${server.url}/api/v1/admin/jobs/${await boom}`,
      { headers: { Authorization: `Bearer ${admin}` } })).json()).data;
    assert.match(view.failure_detail ?? '', /my_model\.py.*\n[\s\S]*RuntimeError: the model exploded$/, JSON.stringify(view));
  } finally {
    await h.cleanup();
    await rm(moduleDir, { recursive: true, force: true });
  }
});

test('the Python worker takes its token from --token-file or GENQ_WORKER_TOKEN, and refuses to start without one', async () => {
  const h = new Harness();
  try {
    const { dir, server, status, submitImage } = await setUp(h);
    const token = await createWorkerToken(dir);
    const tokenFile = join(dir, 'worker-token');
    await writeFile(tokenFile, `  ${token}\n`, { mode: 0o600 });
    const id = await submitImage({ steps: 1 });
    const worker = await startPythonWorker(h, server.url, dir, ['--synthetic', '--token-file', tokenFile, '--step-delay-ms', '5'],
      { token: '' });
    assert.ok(!worker.spawnargs.some((a) => a.includes(token)), 'the token is not on the command line');
    await waitFor(async () => (await status(id)).status === 'done', { timeoutMs: 20000, message: `job done:\n${worker.log()}` });

    const env = { ...process.env };
    delete env.GENQ_WORKER_TOKEN;
    await assert.rejects(
      execFileP(PYTHON, ['-m', 'genq_worker', '--server', server.url, '--synthetic'], { cwd: PYTHON_WORKER_DIR, env }),
      (e) => e.code === 2 && /worker token is required/.test(e.stderr));
    await writeFile(join(dir, 'empty-token'), '\n');
    await assert.rejects(
      execFileP(PYTHON, ['-m', 'genq_worker', '--server', server.url, '--synthetic', '--token-file', join(dir, 'empty-token')],
        { cwd: PYTHON_WORKER_DIR, env }),
      (e) => e.code === 2 && /is empty/.test(e.stderr));
    // A token the server does not know: the worker gives up with exit code 1.
    await assert.rejects(
      execFileP(PYTHON, ['-m', 'genq_worker', '--server', server.url, '--synthetic', '--wait-ms', '0'],
        { cwd: PYTHON_WORKER_DIR, env: { ...env, GENQ_WORKER_TOKEN: 'gq_wrong' } }),
      (e) => e.code === 1 && /401/.test(e.stderr));
  } finally {
    await h.cleanup();
  }
});

test('the diffusers example and every module of the package compile; --help names every bridge', async () => {
  // compile() as py_compile does, without writing .pyc files into the source tree.
  const compileAll = [
    'import pathlib, sys',
    'files = [pathlib.Path(p) for p in sys.argv[1:]]',
    'files += sorted(pathlib.Path("genq_worker").rglob("*.py"))',
    'for f in files: compile(f.read_text(), str(f), "exec")',
    'print(len(files))',
  ].join('\n');
  const compiled = await execFileP(PYTHON, ['-c', compileAll, 'examples/diffusers_worker.py', 'genq-worker'],
    { cwd: PYTHON_WORKER_DIR });
  assert.ok(Number(compiled.stdout) > 10, compiled.stdout);
  const { stdout } = await execFileP(PYTHON, ['-m', 'genq_worker', '--help'], { cwd: PYTHON_WORKER_DIR });
  for (const word of ['--synthetic', '--handler', 'comfyui', 'a1111', 'whisper-cpp', 'openai', '--workflow', '--token-file']) {
    assert.ok(stdout.includes(word), `--help mentions ${word}`);
  }
});
