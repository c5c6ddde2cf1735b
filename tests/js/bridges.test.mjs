// The Python worker's bridges (docs/bridges.md) against stand-in inference servers
// that follow each project's documented API (support/standins/): ComfyUI,
// AUTOMATIC1111, whisper.cpp's server and an OpenAI-compatible server. For each:
// progress and previews reach the job, the result is the bytes the stand-in made,
// a cancel reaches the stand-in (/interrupt), and the stand-in's error becomes the
// job's error. genq runs with config/models.json plus examples/bridges/models.json,
// merged by `python3 -m genq_worker.catalog`, as docs/bridges.md says to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Harness, waitFor } from './support/harness.mjs';
import { png, wav } from './support/deapi_sdk.mjs';
import { PYTHON, PYTHON_WORKER_DIR, jobStatus, startPythonWorker, startStandin, submit } from './support/python_worker.mjs';

const execFileP = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOW = join(ROOT, 'examples/bridges/comfyui-sdxl-txt2img.json');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const final = (s) => (s.status === 'done' || s.status === 'error' ? s : undefined);

// genq with the bridge catalog, a client, a stand-in and a Python worker bridging to it.
async function setUp(h, standinName, bridgeArgs) {
  const dir = await h.tempDir();
  const { stdout } = await execFileP(PYTHON, ['-m', 'genq_worker.catalog', join(ROOT, 'config/models.json'),
    join(ROOT, 'examples/bridges/models.json')], { cwd: PYTHON_WORKER_DIR, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const catalog = join(dir, 'catalog.json');
  await writeFile(catalog, stdout);
  const server = await h.startServer(dir, { args: ['--catalog', catalog] });
  const client = await h.createClient(dir);
  const standin = await startStandin(h, standinName);
  const upstream = bridgeArgs.includes('openai') ? `${standin.url}/v1` : standin.url;
  const worker = await startPythonWorker(h, server.url, dir, [...bridgeArgs, '--upstream', upstream]);
  const status = (id) => jobStatus(server.url, client.api_key, id);
  const send = (task, fields, files) => submit(server.url, client.api_key, task, fields, files);
  // Follows a job to its end, noting the progress and previews clients saw on the way.
  const follow = async (id, timeoutMs = 30000) => {
    const seen = { progress: [], previews: 0 };
    const end = await waitFor(async () => {
      const s = await status(id);
      if (s.status === 'processing') {
        if (s.progress > 0) seen.progress.push(s.progress);
        if (typeof s.preview === 'string' && s.preview.startsWith('data:image/jpeg;base64,/9j/')) seen.previews++;
      }
      return final(s);
    }, { timeoutMs, message: `job ${id} final; worker log:\n${worker.log()}\nstand-in:\n${standin.stderr()}` });
    return { end, seen };
  };
  const download = async (s) => Buffer.from(await (await fetch(s.result_url)).arrayBuffer());
  // Cancels a job once it is under way and waits until the stand-in was told to stop.
  const cancelOnceRunning = async (id, route) => {
    await waitFor(async () => (await status(id)).progress > 0, { timeoutMs: 30000, message: `job ${id} to progress:\n${worker.log()}` });
    const response = await fetch(`${server.url}/api/v1/client/request-cancel/${id}`, {
      method: 'POST', headers: { Authorization: `Bearer ${client.api_key}` },
    });
    assert.equal(response.status, 200);
    await waitFor(async () => (await standin.calls()).some((c) => c.method === 'POST' && c.path === route),
      { message: `${route} on the stand-in; worker log:\n${worker.log()}` });
    const after = await status(id);
    assert.equal(after.status, 'error');
    assert.equal(after.error, 'cancelled');
  };
  return { server, client, standin, worker, status, send, follow, download, cancelOnceRunning };
}

test('ComfyUI bridge: the workflow gets the job, progress and preview frames arrive, the output is /view\'s bytes; cancel interrupts; errors carry through', async () => {
  const h = new Harness();
  try {
    const b = await setUp(h, 'comfyui', ['--bridge', 'comfyui', '--workflow', WORKFLOW, '--models', 'ComfySDXL']);
    const id = await b.send('txt2img', { model: 'ComfySDXL', prompt: 'a red fox', width: 256, height: 264, steps: 12, seed: 77 });
    const { end, seen } = await b.follow(id);
    assert.equal(end.status, 'done', JSON.stringify(end));
    assert.ok(seen.progress.length >= 2, `progress rose in steps: ${seen.progress}`);
    assert.ok(seen.previews >= 1, 'preview frames reached the job');
    const result = await b.download(end);
    assert.deepEqual(await b.standin.made(), [sha256(result)], 'the result is the file ComfyUI made');
    assert.deepEqual([result.readUInt32BE(16), result.readUInt32BE(20)], [256, 264]);
    const calls = await b.standin.calls();
    const queued = calls.find((c) => c.path === '/prompt').json;
    assert.equal(queued.prompt['6'].inputs.text, 'a red fox', 'the prompt went into the positive CLIPTextEncode');
    assert.equal(queued.prompt['7'].inputs.text, '', 'the catalog default negative prompt');
    assert.deepEqual([queued.prompt['3'].inputs.seed, queued.prompt['3'].inputs.steps, queued.prompt['3'].inputs.cfg], [77, 12, 7]);
    assert.deepEqual([queued.prompt['5'].inputs.width, queued.prompt['5'].inputs.height], [256, 264]);
    assert.ok(calls.some((c) => c.path === '/ws' && c.query.clientId === queued.client_id), 'progress followed on /ws');
    assert.ok(calls.some((c) => c.path === '/ws/pong' && c.json === 'are you there'), 'the WebSocket ping was answered');

    await b.cancelOnceRunning(await b.send('txt2img', { model: 'ComfySDXL', prompt: 'slow', steps: 100 }), '/interrupt');

    const failing = await b.follow(await b.send('txt2img', { model: 'ComfySDXL', prompt: 'fail please', steps: 4 }));
    assert.equal(failing.end.status, 'error');
    assert.match(failing.end.error, /KSampler.*torch\.OutOfMemoryError: Allocation on device/);
  } finally {
    await h.cleanup();
  }
});

test('A1111 bridge: txt2img and img2img with live previews from /sdapi/v1/progress; cancel interrupts; errors carry through', async () => {
  const h = new Harness();
  try {
    const b = await setUp(h, 'a1111', ['--bridge', 'a1111', '--models', 'A1111SD15', '--poll-ms', '100']);
    const id = await b.send('txt2img', { model: 'A1111SD15', prompt: 'a lighthouse', width: 256, height: 256, steps: 20, seed: 5 });
    const { end, seen } = await b.follow(id);
    assert.equal(end.status, 'done', JSON.stringify(end));
    assert.ok(seen.progress.length >= 1 && seen.previews >= 1, `progress and a preview: ${JSON.stringify(seen)}`);
    const result = await b.download(end);
    assert.deepEqual(await b.standin.made(), [sha256(result)], 'the result is the image the API answered');
    const sent = (await b.standin.calls()).find((c) => c.path === '/sdapi/v1/txt2img').json;
    assert.deepEqual([sent.prompt, sent.steps, sent.seed, sent.cfg_scale, sent.sampler_name], ['a lighthouse', 20, 5, 7, 'Euler a']);

    const edit = await b.follow(await b.send('img2img', { model: 'A1111SD15', prompt: 'at night', width: 256, height: 256, steps: 2, strength: 0.5 },
      { image: [png(32, 32), 'image/png', 'in.png'] }));
    assert.equal(edit.end.status, 'done', JSON.stringify(edit.end));
    const img2img = (await b.standin.calls()).find((c) => c.path === '/sdapi/v1/img2img').json;
    assert.deepEqual(Buffer.from(img2img.init_images[0], 'base64'), png(32, 32), 'the input image went as init_images');
    assert.equal(img2img.denoising_strength, 0.5);

    await b.cancelOnceRunning(await b.send('txt2img', { model: 'A1111SD15', prompt: 'slow', steps: 100 }), '/sdapi/v1/interrupt');

    const failing = await b.follow(await b.send('txt2img', { model: 'A1111SD15', prompt: 'fail', steps: 4 }));
    assert.equal(failing.end.status, 'error');
    assert.equal(failing.end.error, 'the A1111 API answered 500: OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB');
  } finally {
    await h.cleanup();
  }
});

test('whisper.cpp bridge: the audio goes to /inference as 16 kHz WAV, the transcript is the result; its errors carry through', async () => {
  const h = new Harness();
  try {
    const b = await setUp(h, 'whisper_cpp', ['--bridge', 'whisper-cpp', '--models', 'WhisperCppBase']);
    // An 8 kHz WAV: the bridge converts it, as whisper-server without --convert needs.
    const plain = await b.follow(await b.send('transcribe', { model: 'WhisperCppBase' }, { audio: [wav(8000), 'audio/wav', 'a.wav'] }));
    assert.equal(plain.end.status, 'done', JSON.stringify(plain.end));
    assert.equal(plain.end.result, 'stand-in transcript of 1.00 s of audio');
    const timed = await b.follow(await b.send('aud2txt', { model: 'WhisperCppBase', include_ts: 'true' },
      { audio: [wav(4000), 'audio/wav', 'a.wav'] }));
    assert.equal(timed.end.result, '[00:00.000 --> 00:00.500] stand-in transcript of 0.50 s of audio');

    const failing = await b.follow(await b.send('transcribe', { model: 'WhisperCppBase', language: 'xx' },
      { audio: [wav(800), 'audio/wav', 'a.wav'] }));
    assert.equal(failing.end.status, 'error');
    assert.equal(failing.end.error, "whisper.cpp server answered 500: unknown language 'xx'");
  } finally {
    await h.cleanup();
  }
});

test('OpenAI-compatible bridge: speech bytes, transcription and embeddings from /v1; its errors carry through', async () => {
  const h = new Harness();
  try {
    const b = await setUp(h, 'openai', ['--bridge', 'openai', '--models', 'OpenAISpeech,OpenAITranscribe,OpenAIEmbed',
      '--upstream-model', 'OpenAISpeech=tts-standin,OpenAITranscribe=whisper-standin,OpenAIEmbed=embed-standin', '--concurrency', '2']);
    const speech = await b.follow(await b.send('txt2audio', { model: 'OpenAISpeech', text: 'hello there', voice: 'nova' }));
    assert.equal(speech.end.status, 'done', JSON.stringify(speech.end));
    assert.deepEqual(await b.standin.made(), [sha256(await b.download(speech.end))], 'the audio the server made');

    const heard = await b.follow(await b.send('transcribe', { model: 'OpenAITranscribe' }, { audio: [wav(800), 'audio/wav', 'a.wav'] }));
    assert.equal(heard.end.result, `stand-in heard ${wav(800).length} bytes`);

    const embedded = await b.follow(await b.send('txt2embedding', { model: 'OpenAIEmbed', input: 'vector me' }));
    const { embedding } = JSON.parse(embedded.end.result);  // json results read inline as JSON text
    const digest = createHash('sha256').update('vector me').digest();
    const expected = [...digest.subarray(0, 8)].map((byte) => byte / 255 - 0.5);
    assert.equal(embedding.length, expected.length);
    embedding.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-5, `${value} ≈ ${expected[i]}`));

    const failing = await b.follow(await b.send('txt2audio', { model: 'OpenAISpeech', text: 'x', voice: 'nobody' }));
    assert.equal(failing.end.status, 'error');
    assert.equal(failing.end.error, 'OpenAI-compatible server answered 400: Voice nobody not found');
  } finally {
    await h.cleanup();
  }
});

test('ComfyUI bridge: a workflow without placeholders gets the job\'s values in the nodes a stock workflow has', async () => {
  // The example workflow with its placeholders replaced by what ComfyUI's Export (API) writes.
  const exported = JSON.parse(readFileSync(WORKFLOW, 'utf8'), (key, value) => ({
    '{prompt}': 'beautiful scenery', '{negative_prompt}': 'text, watermark', '{width}': 512, '{height}': 512,
    '{seed}': 156680208700286, '{steps}': 20, '{guidance}': 8,
  })[value] ?? value);
  const fill = [
    'import json, sys',
    'from genq_worker.bridges import comfyui',
    'workflow = json.loads(sys.argv[1])',
    'assert not comfyui.has_placeholders(workflow)',
    'print(json.dumps(comfyui.fill_known_nodes(workflow, json.loads(sys.argv[2]))))',
  ].join('\n');
  const job = { prompt: 'a fox', negative_prompt: 'blur', width: 640, height: 384, seed: 3, steps: 9, guidance: 4.5 };
  const { stdout } = await execFileP(PYTHON, ['-c', fill, JSON.stringify(exported), JSON.stringify(job)],
    { cwd: PYTHON_WORKER_DIR, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const filled = JSON.parse(stdout);
  assert.equal(filled['6'].inputs.text, 'a fox', 'the CLIPTextEncode on the sampler\'s positive input');
  assert.equal(filled['7'].inputs.text, 'blur', 'the one on its negative input');
  assert.deepEqual([filled['5'].inputs.width, filled['5'].inputs.height], [640, 384]);
  assert.deepEqual([filled['3'].inputs.seed, filled['3'].inputs.steps, filled['3'].inputs.cfg], [3, 9, 4.5]);
  assert.equal(filled['4'].inputs.ckpt_name, exported['4'].inputs.ckpt_name, 'other nodes untouched');
});
