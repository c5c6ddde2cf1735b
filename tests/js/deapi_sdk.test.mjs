// deAPI's official Python SDK (deapi-python-sdk 0.1.0) as genq sees it: the paths,
// methods, field names and answer shapes of its prompt, price, video, image, audio,
// embedding and model calls (docs/api.md, "deAPI SDK compatibility"); transcription
// is in deapi_sdk_transcription.test.mjs. Python with pydantic is not available to
// the suite, so each call is sent exactly as the SDK sends it
// (support/deapi_sdk.mjs) and the answer is held to the SDK's types. A real genq
// binary and a synthetic worker.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Harness, waitFor } from './support/harness.mjs';
import {
  CLIP, SPEECH, assert422, assertPrice, call, done, png, post, submitted, startSdkServer,
} from './support/deapi_sdk.mjs';

let h;
let server;
let client;

before(async () => {
  h = new Harness();
  ({ server, client } = await startSdkServer(h));
});

after(async () => {
  await h?.cleanup();
});

// --- models ----------------------------------------------------------------------

describe('models (client.models.list)', () => {
  const list = async (types) => {
    const res = await call('GET', 'models', { query: { per_page: 15, page: 1, ...(types ? { 'filter[inference_types]': types.join(',') } : {}) } });
    assert.equal(res.status, 200, res.text);
    return res.json;
  };

  test("the SDK's inference types filter onto genq's tasks", async () => {
    for (const [sdk, task] of [['video2text', 'vid2txt'], ['audio2text', 'aud2txt'],
      ['video_file2text', 'videofile2txt'], ['audio_file2text', 'audiofile2txt']]) {
      const page = await list([sdk]);
      assert.ok(page.data.length > 0, sdk);
      for (const m of page.data) assert.ok(m.inference_types.includes(task), `${m.slug} listed for ${sdk}`);
      assert.ok(page.data.some((m) => m.slug === 'WhisperLargeV3'), sdk);
    }
    assert.ok((await list(['aud2video'])).data.length > 0);
    assert.ok((await list(['vid-replace'])).data.length > 0);
  });

  test('model objects carry info.defaults, loras and languages with voices', async () => {
    const all = [];
    for (let page = 1; ; page++) {
      const res = await call('GET', 'models', { query: { per_page: 50, page } });
      all.push(...res.json.data);
      if (page >= res.json.meta.last_page) break;
    }
    for (const m of all) {
      assert.equal(typeof m.name, 'string');
      assert.equal(typeof m.slug, 'string');
      assert.ok(Array.isArray(m.inference_types));
      assert.equal(typeof m.info.defaults, 'object', m.slug);
      assert.ok(!Array.isArray(m.info.defaults), m.slug);
      if ('loras' in m) assert.ok(Array.isArray(m.loras) && m.loras.every((l) => typeof l.name === 'string'), m.slug);
      if ('languages' in m) {
        for (const lang of m.languages) {
          assert.equal(typeof lang.slug, 'string');
          assert.ok(lang.voices.every((v) => typeof v.slug === 'string' && typeof v.name === 'string'), m.slug);
        }
      }
    }
    const flux = all.find((m) => m.slug === 'Flux1schnell');
    assert.deepEqual(flux.loras.map((l) => l.name), ['flux-realism', 'flux-anime']);
    assert.equal(flux.info.defaults.steps, 4);
    const tts = all.find((m) => m.slug === 'Qwen3_TTS_1_7B');
    assert.equal(tts.info.features.supports_voice_clone, true);
    assert.ok(tts.languages.find((l) => l.slug === 'en').voices.some((v) => v.slug === 'vivian'));
  });
});

// --- prompts ---------------------------------------------------------------------

describe('prompts (client.prompts): answered directly, no job to poll', () => {
  test('enhance_image: {prompt, negative_prompt: null} -> EnhancePromptResult', async () => {
    const res = await post('prompt/image', { json: { prompt: 'a red fox', negative_prompt: null } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json.data).sort(), ['negative_prompt', 'prompt']);
    assert.match(res.json.data.prompt, /^a red fox, /);
    assert.equal(res.json.data.negative_prompt, null);
    const again = await post('prompt/image', { json: { prompt: 'a red fox', negative_prompt: null } });
    assert.equal(again.json.data.prompt, res.json.data.prompt, 'the synthetic model is deterministic');
    const withNegative = await post('prompt/image', { json: { prompt: 'a red fox', negative_prompt: 'blurry' } });
    assert.equal(withNegative.json.data.negative_prompt, 'blurry');
  });

  test('enhance_video: JSON without an image, multipart with one', async () => {
    const plain = await post('prompt/video', { json: { prompt: 'waves at night', negative_prompt: null } });
    assert.equal(plain.status, 200, plain.text);
    assert.match(plain.json.data.prompt, /^waves at night, /);
    const withImage = await post('prompt/video', { form: {
      data: { prompt: 'waves at night', negative_prompt: '' }, files: [['image', 'still.png', png(), 'image/png']] } });
    assert.equal(withImage.status, 200, withImage.text);
    assert.equal(typeof withImage.json.data.prompt, 'string');
  });

  test('enhance_speech: {prompt, lang_code} -> EnhanceSpeechPromptResult', async () => {
    const res = await post('prompt/speech', { json: { prompt: 'Hello and welcome', lang_code: 'en' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json.data), ['prompt']);
    assert.match(res.json.data.prompt, /^Hello and welcome, /);
  });

  test('enhance_image2image: multipart with the image', async () => {
    const res = await post('prompt/image2image', { form: {
      data: { prompt: 'make it winter', negative_prompt: '' }, files: [['image', 'photo.png', png(), 'image/png']] } });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.data.prompt, /^make it winter, /);
    assert.ok('negative_prompt' in res.json.data);
  });

  test('samples: GET with type, topic, lang_code -> SamplePromptResult', async () => {
    const res = await call('GET', 'prompts/samples', { query: { type: 'image', topic: 'lighthouses' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.data.type, 'image');
    assert.match(res.json.data.prompt, /lighthouses/);
    const speech = await call('GET', 'prompts/samples', { query: { type: 'speech', lang_code: 'en' } });
    assert.equal(speech.json.data.type, 'speech');
    assert422(await call('GET', 'prompts/samples', { query: { type: 'smell' } }), 'type');
  });

  test('every price twin answers a PriceResult', async () => {
    assertPrice(await post('prompt/image/price-calculation', { json: { prompt: 'a red fox', negative_prompt: null } }));
    assertPrice(await post('prompt/video/price-calculation', { json: { prompt: 'a red fox', negative_prompt: null } }));
    assertPrice(await post('prompt/speech/price-calculation', { json: { prompt: 'hello', lang_code: 'en' } }));
    assertPrice(await post('prompt/image2image/price-calculation', { json: { prompt: 'a red fox', negative_prompt: null } }));
    assertPrice(await call('GET', 'prompts/samples/price-calculation', { query: { type: 'image', topic: 'cats' } }));
  });

  test('an unknown prompt kind is a 404; a too-short prompt a 422', async () => {
    assert.equal((await post('prompt/smell', { json: { prompt: 'x' } })).status, 404);
    assert422(await post('prompt/image', { json: { prompt: '', negative_prompt: null } }), 'prompt');
  });
});

describe('prompts without a worker', () => {
  test('a prompt not ready within --prompt-wait-s is a 504 naming its request, which goes on', async () => {
    const idle = new Harness();
    try {
      const dir = await idle.tempDir();
      const c = await idle.createClient(dir);
      const s = await idle.startServer(dir, { args: ['--prompt-wait-s', '1'] });
      const started = Date.now();
      const res = await fetch(`${s.url}/api/v1/client/prompt/image`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${c.api_key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'a red fox', negative_prompt: null }),
      });
      const body = await res.json();
      assert.equal(res.status, 504, JSON.stringify(body));
      assert.ok(Date.now() - started >= 900, 'answered before the wait was over');
      const id = body.message.match(/request ([0-9a-f-]{36})/)?.[1];
      assert.ok(id, body.message);
      const status = await fetch(`${s.url}/api/v1/client/request-status/${id}`, { headers: { Authorization: `Bearer ${c.api_key}` } });
      assert.equal(status.status, 200);
      const doc = await status.json();
      assert.equal(doc.data.task, 'prompt-image');
      assert.equal(doc.data.status, 'pending');
      // A worker that comes later finishes it; the next identical call with the same
      // Idempotency-Key would then answer at once.
      await idle.startWorker(s.url, dir, { stepDelayMs: 5 });
      await waitFor(async () => {
        const r = await fetch(`${s.url}/api/v1/client/request-status/${id}`, { headers: { Authorization: `Bearer ${c.api_key}` } });
        return (await r.json()).data.status === 'done';
      }, { timeoutMs: 30000, message: 'the prompt job done' });
    } finally {
      await idle.cleanup();
    }
  });

  test('an Idempotency-Key replay of a finished prompt answers its text at once', async () => {
    const headers = { Authorization: `Bearer ${client.api_key}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'prompt-replay-1' };
    const first = await fetch(`${server.url}/api/v1/client/prompt/speech`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'good evening' }) });
    const a = await first.json();
    assert.equal(first.status, 200, JSON.stringify(a));
    const second = await fetch(`${server.url}/api/v1/client/prompt/speech`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'good evening' }) });
    assert.deepEqual(await second.json(), a);
  });
});

// --- price calculation -------------------------------------------------------------

describe('price twins take the price-only fields', () => {
  test('txt2audio: count_text instead of text', async () => {
    // Kokoro: base 0.0002 + 0.004 per 1000 characters.
    assertPrice(await post('txt2audio/price-calculation', { json: {
      model: 'Kokoro', lang: 'en-us', format: 'mp3', speed: 1.0, sample_rate: 24000, count_text: 1000, voice: 'af_sky' } }), 0.0042);
  });

  test('files priced by width/height, without the file', async () => {
    for (const [task, model] of [['img-upscale', 'RealESRGAN_x4'], ['img-rmbg', 'Ben2'], ['img2txt', 'Nanonets_Ocr_S_F16'],
      ['vid-upscale', 'RealESRGAN_Vid_x4'], ['vid-rmbg', 'RMBG-1.4']]) {
      assertPrice(await post(`${task}/price-calculation`, { json: { model, width: 3000, height: 2000 } }));
      assertPrice(await post(`${task}/price-calculation`, { json: { model } }));
    }
  });

  test('img2video and aud2video priced from width, height, frames, fps', async () => {
    // LTX-Video: base 0.002 + 0.004 per second of output.
    assertPrice(await post('img2video/price-calculation', { json: { model: 'Ltxv_13B_0_9_8_Distilled_FP8', width: 768, height: 512, frames: 90, fps: 30 } }), 0.014);
    assertPrice(await post('aud2video/price-calculation', { json: { model: 'Ltx2_19B_Dist_FP8', width: 768, height: 512, frames: 96, fps: 24, steps: 8 } }), 0.022);
  });

  test('img2img priced without the image; txt2music from duration and steps', async () => {
    assertPrice(await post('img2img/price-calculation', { json: { prompt: 'winter', model: 'QwenImageEdit_Plus_NF4', steps: 20, seed: -1 } }));
    assertPrice(await post('txt2music/price-calculation', { json: { model: 'AceStep_1_5_Turbo', duration: 30, inference_steps: 8 } }));
  });

  test('videos/replace/price: form fields duration, width, height', async () => {
    // Wan replace: base 0.005 + 0.01 per second. Without a video the SDK posts
    // data= alone, which httpx sends urlencoded.
    assertPrice(await post('videos/replace/price', { urlencoded: { model: 'Wan2_2_Animate_Replace', duration: '10.0', width: '512', height: '512' } }), 0.105);
    assertPrice(await post('videos/replace/price', { form: { data: { model: 'Wan2_2_Animate_Replace', duration: '10', width: '512', height: '512' } } }), 0.105);
    assert.equal((await post('videos/replace/price', { urlencoded: 'model=Wan2_2_Animate_Replace&duration=%zz' })).status, 400);
    assertPrice(await post('videos/replace/price', { form: { data: { model: 'Wan2_2_Animate_Replace' }, files: [['video', 'clip.mp4', CLIP, 'video/mp4']] } }));
  });

  test('price-only fields are still checked, and unknown fields still refused', async () => {
    assert422(await post('txt2audio/price-calculation', { json: { model: 'Kokoro', count_text: -5 } }), 'count_text');
    assert422(await post('img-upscale/price-calculation', { json: { model: 'RealESRGAN_x4', widht: 100 } }), 'widht');
    assert422(await post('txt2img/price-calculation', { json: { prompt: 'x' } }), 'model');
  });
});

// --- embeddings ------------------------------------------------------------------

describe('embeddings (client.embeddings)', () => {
  const parsed = (result) => (typeof result === 'string' ? JSON.parse(result) : result);

  test('create(input=[…]): a batch gives one embedding per text', async () => {
    const status = await done(await post('txt2embedding', { json: { input: ['first text', 'second'], model: 'Bge_M3_FP16', return_result_in_response: true } }));
    const result = parsed(status.result);
    assert.equal(result.embeddings.length, 2);
    assert.equal(result.embeddings[0].embedding.length, 1024);
    assert.notDeepEqual(result.embeddings[0].embedding, result.embeddings[1].embedding);
    const single = parsed((await done(await post('txt2embedding', { json: { input: 'first text', model: 'Bge_M3_FP16' } }))).result);
    assert.equal(single.embedding.length, 1024);
  });

  test('create_price(input=[…]) prices every text', async () => {
    const batch = await post('txt2embedding/price-calculation', { json: { input: ['abcd', 'efgh'], model: 'Bge_M3_FP16', return_result_in_response: true } });
    const single = await post('txt2embedding/price-calculation', { json: { input: 'abcdefgh', model: 'Bge_M3_FP16' } });
    assertPrice(batch, single.json.data.price);
  });
});

// --- video -----------------------------------------------------------------------

describe('video (client.video): new tasks end to end', () => {
  const isMp4 = async (status) => {
    const res = await fetch(status.result_url);
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(4, 8).toString('ascii'), 'ftyp');
  };

  test('animate: img2video with first_frame_image and last_frame_image', async () => {
    const res = await post('img2video', { form: {
      data: { prompt: 'the fox runs', model: 'Ltxv_13B_0_9_8_Distilled_FP8', seed: 7, width: 256, height: 256, frames: 30, fps: 30 },
      files: [['first_frame_image', 'first.png', png(), 'image/png'], ['last_frame_image', 'last.png', png(), 'image/png']] } });
    await isMp4(await done(res));
  });

  test('animate: seed is accepted by every img2video model', async () => {
    const res = await post('img2video/price-calculation', { json: { model: 'FfmpegKenBurns', width: 640, height: 368, frames: 72, fps: 24, seed: 3 } });
    assertPrice(res);
    const submit = await post('img2video', { form: {
      data: { prompt: 'pan', model: 'FfmpegKenBurns', seed: 3, width: 256, height: 256, frames: 8, fps: 8 },
      files: [['first_frame_image', 'first.png', png(), 'image/png']] } });
    await submitted(submit);
  });

  test('generate_from_audio: aud2video with audio and optional frames', async () => {
    const res = await post('aud2video', { form: {
      data: { prompt: 'dancing lights', model: 'Ltx2_19B_Dist_FP8', width: 256, height: 256, seed: 1, frames: 25, fps: 24, steps: 2 },
      files: [['audio', 'beat.wav', SPEECH, 'audio/wav'], ['first_frame_image', 'first.png', png(), 'image/png']] } });
    await isMp4(await done(res));
  });

  test('replace: videos/replace with video and ref_image', async () => {
    const res = await post('videos/replace', { form: {
      data: { model: 'Wan2_2_Animate_Replace', prompt: 'a knight', width: 256, height: 256, steps: 2, seed: 5 },
      files: [['video', 'clip.mp4', CLIP, 'video/mp4'], ['ref_image', 'knight.png', png(), 'image/png']] } });
    await isMp4(await done(res));
    assert422(await post('videos/replace', { form: { data: { model: 'Wan2_2_Animate_Replace' }, files: [['video', 'clip.mp4', CLIP, 'video/mp4']] } }), 'ref_image');
  });
});

// --- images and audio ------------------------------------------------------------

describe('images and audio: loras, images[], TTS fields and voice cloning', () => {
  test('generate with loras (JSON list of {name, weight})', async () => {
    await done(await post('txt2img', { json: {
      prompt: 'portrait', model: 'Flux1schnell', width: 256, height: 256, seed: 1, steps: 2,
      loras: [{ name: 'flux-realism', weight: 0.8 }, { name: 'flux-anime', weight: 0.3 }] } }));
    assert422(await post('txt2img', { json: { prompt: 'p', model: 'Flux1schnell', width: 256, height: 256, seed: 1, loras: [{ name: 'nope', weight: 1 }] } }), 'loras.0.name');
    assert422(await post('txt2img', { json: { prompt: 'p', model: 'Flux1schnell', width: 256, height: 256, seed: 1, loras: [{ name: 'flux-anime', weight: 9 }] } }), 'loras');
    assert422(await post('txt2img', { json: { prompt: 'p', model: 'ZImageTurbo_INT8', width: 256, height: 256, seed: 1, loras: [] } }), 'loras');
  });

  test('loras as the multipart form fields loras[0][name], loras[0][weight]', async () => {
    await done(await post('txt2img', { form: { data: {
      prompt: 'portrait', model: 'Flux1schnell', width: 256, height: 256, seed: 1, steps: 2,
      'loras[0][name]': 'flux-anime', 'loras[0][weight]': 0.5 } } }));
    // transform(loras=…) on an img2img model.
    await done(await post('img2img', { form: {
      data: { prompt: 'paint it', model: 'Flux_2_Klein_4B_BF16', steps: 4, seed: 2, 'loras[0][name]': 'klein-watercolor', 'loras[0][weight]': 1 },
      files: [['image', 'photo.png', png(), 'image/png']] } }));
    assert422(await post('img2img', { form: {
      data: { prompt: 'paint it', model: 'Flux_2_Klein_4B_BF16', steps: 4, seed: 2, 'loras[0][name]': 'flux-anime', 'loras[0][weight]': 1 },
      files: [['image', 'photo.png', png(), 'image/png']] } }), 'loras.0.name');
  });

  test('transform with images[] (several files)', async () => {
    const files = [['images[]', 'a.png', png(), 'image/png'], ['images[]', 'b.png', png(48, 48), 'image/png']];
    await done(await post('img2img', { form: { data: { prompt: 'merge them', model: 'QwenImageEdit_Plus_NF4', steps: 2, seed: 3 }, files } }));
    const tooMany = [...files, ...files];
    assert422(await post('img2img', { form: { data: { prompt: 'p', model: 'QwenImageEdit_Plus_NF4', steps: 2, seed: 3 }, files: tooMany } }), 'images');
    assert422(await post('img2img', { form: { data: { prompt: 'p', model: 'Flux_2_Klein_4B_BF16', steps: 4, seed: 3 }, files } }), 'images');
  });

  test("synthesize: lang, format, speed, sample_rate as the SDK sends them (JSON)", async () => {
    await done(await post('txt2audio', { json: { text: 'hello there', model: 'Kokoro', lang: 'en-us', format: 'wav', speed: 1.0, sample_rate: 24000, voice: 'af_sky' } }));
  });

  test('synthesize with voice cloning: multipart ref_audio, ref_text, mode', async () => {
    await done(await post('txt2audio', { form: {
      data: { text: 'clone me', model: 'Qwen3_TTS_1_7B', lang: 'en', format: 'wav', speed: 1.0, sample_rate: 24000, mode: 'voice_clone', ref_text: 'the reference' },
      files: [['ref_audio', 'me.wav', SPEECH, 'audio/wav']] } }));
    assert422(await post('txt2audio', { json: { text: 'x', model: 'Qwen3_TTS_1_7B', lang: 'en', format: 'wav', speed: 1, sample_rate: 24000, mode: 'voice_clone' } }),
      'ref_audio', /required when mode is voice_clone/);
    assert422(await post('txt2audio', { json: { text: 'x', model: 'Qwen3_TTS_1_7B', lang: 'en', format: 'wav', speed: 1, sample_rate: 24000, mode: 'voice_design' } }),
      'instruct', /required when mode is voice_design/);
    await done(await post('txt2audio', { json: { text: 'designed', model: 'Qwen3_TTS_1_7B', lang: 'en', format: 'wav', speed: 1, sample_rate: 24000, mode: 'voice_design', instruct: 'a calm old sailor' } }));
  });
});
