// deAPI's official Python SDK (deapi-python-sdk 0.1.0), its transcription calls:
// files, URLs that genq downloads from a local HTTP server, and the SSRF guard in
// front of those downloads (docs/api.md, "deAPI SDK compatibility"). Python with
// pydantic is not available to the suite, so each call is sent exactly as the SDK
// sends it (support/deapi_sdk.mjs) and the answer is held to the SDK's types.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Harness, waitFor } from './support/harness.mjs';
import {
  CLIP, InputServer, SPEECH, assert422, assertPrice, done, post, startSdkServer,
} from './support/deapi_sdk.mjs';

let h;
let server;
let client;
let inputs;

before(async () => {
  h = new Harness();
  ({ server, client } = await startSdkServer(h));
  inputs = await new InputServer().listen();
  inputs.files.set('/speech.wav', { type: 'audio/wav', bytes: SPEECH });
  inputs.files.set('/clip.mp4', { type: 'video/mp4', bytes: CLIP });
  inputs.files.set('/huge.wav', { type: 'audio/wav', bytes: Buffer.alloc(200000, 1) });
  inputs.files.set('/notes.wav', { type: 'audio/wav', bytes: Buffer.from('meeting notes, not a recording\n') });
});

after(async () => {
  await inputs?.close();
  await h?.cleanup();
});

// --- transcription ---------------------------------------------------------------

describe('transcription (client.transcription)', () => {
  const transcriptOf = (status, bytes) => {
    assert.equal(typeof status.result, 'string');
    assert.match(status.result, new RegExp(`^Synthetic transcript of ${bytes}-byte input`));
  };

  test('create(source_file=audio): multipart source_file, include_ts "1"', async () => {
    const res = await post('transcribe', { form: {
      data: { include_ts: '1', model: 'WhisperLargeV3', return_result_in_response: '1' },
      files: [['source_file', 'speech.wav', SPEECH, 'audio/wav']] } });
    transcriptOf(await done(res), SPEECH.length);
  });

  test('create(source_file=video): a video MIME type is the video input', async () => {
    const res = await post('transcribe', { form: {
      data: { include_ts: '0', model: 'WhisperLargeV3' }, files: [['source_file', 'clip.mp4', CLIP, 'video/mp4']] } });
    transcriptOf(await done(res), CLIP.length);
  });

  test('create(source_url=…): genq downloads the URL, then the job runs on it', async () => {
    const before = inputs.requests.length;
    const res = await post('transcribe', { json: {
      source_url: inputs.url('/speech.wav'), include_ts: false, model: 'WhisperLargeV3', return_result_in_response: true } });
    transcriptOf(await done(res), SPEECH.length);
    assert.deepEqual(inputs.requests.slice(before), ['/speech.wav']);
  });

  test('create(source_url=…) follows redirects', async () => {
    const res = await post('transcribe', { json: { source_url: inputs.url('/redirect'), include_ts: true, model: 'WhisperLargeV3' } });
    transcriptOf(await done(res), SPEECH.length);
  });

  test('from_video_url: vid2txt with video_url', async () => {
    const res = await post('vid2txt', { json: { video_url: inputs.url('/clip.mp4'), include_ts: false, model: 'WhisperLargeV3' } });
    transcriptOf(await done(res), CLIP.length);
  });

  test('from_audio_url: aud2txt with audio_url', async () => {
    const res = await post('aud2txt', { json: { audio_url: inputs.url('/speech.wav'), include_ts: true, model: 'WhisperLargeV3' } });
    transcriptOf(await done(res), SPEECH.length);
  });

  test('from_audio_file: audiofile2txt with the audio file', async () => {
    const res = await post('audiofile2txt', { form: {
      data: { include_ts: '0', model: 'WhisperLargeV3' }, files: [['audio', 'speech.wav', SPEECH, 'audio/wav']] } });
    transcriptOf(await done(res), SPEECH.length);
  });

  test('from_video_file: videofile2txt with the video file', async () => {
    const res = await post('videofile2txt', { form: {
      data: { include_ts: '1', model: 'WhisperLargeV3' }, files: [['video', 'clip.mp4', CLIP, 'video/mp4']] } });
    transcriptOf(await done(res), CLIP.length);
  });

  test('a URL whose content is no recording is a 422 on its field, like an upload', async () => {
    assert422(await post('transcribe', { json: { source_url: inputs.url('/notes.wav'), include_ts: false, model: 'WhisperLargeV3' } }),
      'source_url', /The source_url field must be an audio or video file/);
  });

  test('a URL that cannot be downloaded is a 422 on its field, and no job', async () => {
    assert422(await post('transcribe', { json: { source_url: inputs.url('/missing.wav'), include_ts: false, model: 'WhisperLargeV3' } }),
      'source_url', /could not be downloaded: the server answered 404/);
    assert422(await post('aud2txt', { json: { audio_url: inputs.url('/huge.wav'), include_ts: false, model: 'WhisperLargeV3' } }),
      'audio_url', /is larger than 1 MiB/);
    const started = Date.now();
    assert422(await post('transcribe', { json: { source_url: inputs.url('/stall'), include_ts: false, model: 'WhisperLargeV3' } }),
      'source_url', /could not be downloaded within 2 s/);
    assert.ok(Date.now() - started < 10000, 'the time limit bounds the submit');
    assert422(await post('vid2txt', { json: { video_url: 'ftp://example.com/a.mp4', include_ts: false, model: 'WhisperLargeV3' } }),
      'video_url', /http/);
    assert422(await post('transcribe', { json: { source_url: 42, include_ts: false, model: 'WhisperLargeV3' } }),
      'source_url', /must be a string/);
  });

  test('downloads past --input-fetch-concurrency are a 503, without a download', async () => {
    const stalls = () => inputs.requests.filter((r) => r === '/stall').length;
    const stallsBefore = stalls();
    const stalled = post('transcribe', { json: { source_url: inputs.url('/stall'), include_ts: false, model: 'WhisperLargeV3' } });
    await waitFor(() => stalls() > stallsBefore, { timeoutMs: 5000, message: 'the first download started' });
    const before = inputs.requests.length;
    const busy = await post('vid2txt', { json: { video_url: inputs.url('/clip.mp4'), include_ts: false, model: 'WhisperLargeV3' } });
    assert.equal(busy.status, 503, busy.text);
    assert.match(busy.json.message, /Too many input downloads/);
    assert.equal(inputs.requests.length, before, 'the refused submit downloaded nothing');
    assert422(await stalled, 'source_url', /within 2 s/);
    // The slot is free again.
    await done(await post('vid2txt', { json: { video_url: inputs.url('/clip.mp4'), include_ts: false, model: 'WhisperLargeV3' } }));
  });

  test('price twins take duration_seconds and a URL without downloading it', async () => {
    const before = inputs.requests.length;
    assertPrice(await post('transcribe/price-calculation', { json: { include_ts: true, model: 'WhisperLargeV3', source_url: inputs.url('/speech.wav'), duration_seconds: 120 } }));
    assertPrice(await post('vid2txt/price-calculation', { json: { include_ts: true, model: 'WhisperLargeV3', video_url: inputs.url('/clip.mp4'), duration_seconds: 60 } }));
    assertPrice(await post('aud2txt/price-calculation', { json: { include_ts: false, model: 'WhisperLargeV3', duration_seconds: 30.5 } }));
    assertPrice(await post('audiofile2txt/price-calculation', { json: { include_ts: false, model: 'WhisperLargeV3', duration_seconds: 30 } }));
    assertPrice(await post('videofile2txt/price-calculation', { form: {
      data: { include_ts: '0', model: 'WhisperLargeV3', duration_seconds: '30' }, files: [['video', 'clip.mp4', CLIP, 'video/mp4']] } }));
    assertPrice(await post('transcribe/price-calculation', { form: {
      data: { include_ts: '1', model: 'WhisperLargeV3' }, files: [['source_file', 'speech.wav', SPEECH, 'audio/wav']] } }));
    assert.equal(inputs.requests.length, before, 'a price calculation downloads nothing');
  });
});

describe('the SSRF guard on URL inputs', () => {
  test('without --webhook-allow-private a loopback URL is refused and never fetched', async () => {
    const guarded = new Harness();
    try {
      const dir = await guarded.tempDir();
      const c = await guarded.createClient(dir);
      const s = await guarded.startServer(dir, { args: ['--webhook-allow-http'] });
      const before = inputs.requests.length;
      const res = await fetch(`${s.url}/api/v1/client/transcribe`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${c.api_key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ source_url: inputs.url('/speech.wav'), include_ts: false, model: 'WhisperLargeV3' }),
      });
      const body = await res.json();
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(body.errors.source_url[0], /is refused: it resolved to a loopback address/);
      assert.equal(inputs.requests.length, before, 'genq connected to a refused address');
      // Nor an IPv6 loopback literal.
      const https = await fetch(`${s.url}/api/v1/client/vid2txt`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${c.api_key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ video_url: 'http://[::1]:9/clip.mp4', include_ts: false, model: 'WhisperLargeV3' }),
      });
      const refused = await https.json();
      assert.equal(https.status, 422);
      assert.match(refused.errors.video_url[0], /loopback/);
    } finally {
      await guarded.cleanup();
    }
  });
});
