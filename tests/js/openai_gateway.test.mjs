// The /v1 gateway driven by the official `openai` npm client, pointed at genq with
// only baseURL and apiKey changed: each call is a real job claimed by a real worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { Harness } from './support/harness.mjs';

// The client calls through the global fetch the harness checks against
// docs/openapi.json (its own HTTP stack would pass it by). Its multipart bodies are
// streams, which Node's fetch takes only half-duplex.
const checkedFetch = (url, init) => fetch(url, init?.body?.pipe ? { ...init, duplex: 'half' } : init);

// A mono 16-bit PCM WAV of `seconds` of a 440 Hz tone: what a user records.
function toneWav(seconds, rate = 16000) {
  const samples = Math.round(seconds * rate);
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0); buffer.writeUInt32LE(36 + samples * 2, 4); buffer.write('WAVE', 8);
  buffer.write('fmt ', 12); buffer.writeUInt32LE(16, 16); buffer.writeUInt16LE(1, 20); buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24); buffer.writeUInt32LE(rate * 2, 28); buffer.writeUInt16LE(2, 32); buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36); buffer.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i += 1) buffer.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return buffer;
}

// Width and height from a PNG's IHDR chunk.
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

async function gateway(h) {
  const dir = await h.tempDir();
  const { url } = await h.startServer(dir);
  const client = await h.createClient(dir);
  await h.startWorker(url, dir, { stepDelayMs: 10 });
  return { url, client, openai: new OpenAI({ baseURL: `${url}/v1`, apiKey: client.api_key, maxRetries: 0, fetch: checkedFetch }) };
}

test('models, embeddings, images, speech and transcription through the openai client', async () => {
  const h = new Harness();
  try {
    const { url, client, openai } = await gateway(h);

    const models = [];
    for await (const model of openai.models.list()) models.push(model.id);
    for (const id of ['Flux1schnell', 'Bge_M3_FP16', 'Kokoro', 'WhisperLargeV3']) assert.ok(models.includes(id), id);

    // The client asks for base64 by default and decodes it; floats on request.
    const one = await openai.embeddings.create({ model: 'Bge_M3_FP16', input: 'the quick brown fox' });
    assert.equal(one.object, 'list');
    assert.equal(one.data.length, 1);
    assert.equal(one.data[0].embedding.length, 1024);
    assert.ok(one.data[0].embedding.every(Number.isFinite));
    assert.ok(one.usage.prompt_tokens > 0);
    const two = await openai.embeddings.create({ model: 'Bge_M3_FP16', input: ['a', 'b'], encoding_format: 'float' });
    assert.deepEqual(two.data.map((d) => d.index), [0, 1]);
    assert.equal(two.data[1].embedding.length, 1024);
    const same = await openai.embeddings.create({ model: 'Bge_M3_FP16', input: 'the quick brown fox', encoding_format: 'float' });
    assert.ok(Math.abs(same.data[0].embedding[0] - one.data[0].embedding[0]) < 1e-6, 'base64 floats decode to the same vector');

    const images = await openai.images.generate({ model: 'Flux1schnell', prompt: 'a red fox in the snow', n: 2, size: '512x384' });
    assert.equal(images.data.length, 2);
    for (const image of images.data) {
      const res = await fetch(image.url);
      assert.equal(res.status, 200);
      assert.deepEqual(pngSize(Buffer.from(await res.arrayBuffer())), { width: 512, height: 384 });
    }
    const inline = await openai.images.generate({ model: 'Flux1schnell', prompt: 'a lighthouse', size: '256x256',
      response_format: 'b64_json' });
    assert.deepEqual(pngSize(Buffer.from(inline.data[0].b64_json, 'base64')), { width: 256, height: 256 });

    // An edit of the first generated picture, uploaded as a user would.
    const photo = Buffer.from(await (await fetch(images.data[0].url)).arrayBuffer());
    const edits = await openai.images.edit({ model: 'Flux_2_Klein_4B_BF16', prompt: 'as a watercolour', n: 2,
      size: '384x256', image: await toFile(photo, 'photo.png', { type: 'image/png' }) });
    assert.equal(edits.data.length, 2);
    for (const image of edits.data) {
      assert.deepEqual(pngSize(Buffer.from(await (await fetch(image.url)).arrayBuffer())), { width: 384, height: 256 });
    }
    await assert.rejects(openai.images.edit({ model: 'Flux_2_Klein_4B_BF16', prompt: 'x',
      image: await toFile(photo, 'photo.png', { type: 'image/png' }), mask: await toFile(photo, 'mask.png', { type: 'image/png' }) }),
    (e) => { assert.ok(e instanceof OpenAI.BadRequestError); assert.equal(e.param, 'mask'); return true; });

    const speech = await openai.audio.speech.create({ model: 'Kokoro', voice: 'af_bella', input: 'Hello from genq' });
    const audio = Buffer.from(await speech.arrayBuffer());
    assert.ok(audio.length > 1000, `${audio.length} bytes of audio`);

    const transcript = await openai.audio.transcriptions.create({
      model: 'WhisperLargeV3', file: await toFile(toneWav(3), 'memo.wav', { type: 'audio/wav' }) });
    assert.equal(typeof transcript.text, 'string');
    assert.ok(transcript.text.length > 0);
    const plain = await openai.audio.transcriptions.create({
      model: 'WhisperLargeV3', response_format: 'text', file: await toFile(toneWav(1), 'memo.wav', { type: 'audio/wav' }) });
    assert.equal(typeof plain, 'string');

    // Each call was a job of this client, like any other.
    const usage = await fetch(`${url}/api/v1/client/usage?per_page=100`, { headers: { Authorization: `Bearer ${client.api_key}` } });
    assert.equal(usage.status, 200);
  } finally {
    await h.cleanup();
  }
});

test("errors come in OpenAI's shape, so the client raises its own error classes", async () => {
  const h = new Harness();
  try {
    const { url, openai } = await gateway(h);
    const wrongKey = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'gq_not-a-key', maxRetries: 0, fetch: checkedFetch });
    await assert.rejects(wrongKey.models.list(), (e) => {
      assert.ok(e instanceof OpenAI.AuthenticationError, e.constructor.name);
      assert.equal(e.status, 401);
      assert.equal(e.code, 'invalid_api_key');
      return true;
    });
    await assert.rejects(openai.images.generate({ model: 'Flux1schnell', prompt: 'x', size: 'big' }), (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, e.constructor.name);
      assert.equal(e.param, 'size');
      return true;
    });
    await assert.rejects(openai.embeddings.create({ model: 'no-such-model', input: 'x' }), (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, e.constructor.name);
      assert.equal(e.param, 'model');
      assert.match(e.message, /model/i);
      return true;
    });
    await assert.rejects(openai.images.generate({ model: 'Flux1schnell', prompt: 'x', size: '64x64' }), (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, e.constructor.name);
      assert.equal(e.param, 'width', 'the catalog bound names the field');
      return true;
    });
  } finally {
    await h.cleanup();
  }
});
