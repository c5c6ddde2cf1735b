// deAPI's results_alt_formats: a done image result is offered in the other two of
// jpg, png and webp. The URLs are genq's signed /files URLs; the first download
// converts the result and stores the copy beside it, later ones read the copy. A
// damaged "image" is a 422 and the server carries on; other results keep null;
// retention deletes the copies with the result; with S3 the copy goes to the bucket
// and the download is a redirect to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Harness, GENQ, waitFor, submitJob } from './support/harness.mjs';
import { photoPng } from './support/deapi_sdk.mjs';
import { S3Server } from './support/s3_server.mjs';

const execFileP = promisify(execFile);
const exists = (path) => access(path).then(() => true, () => false);

async function startGenq(h, { args = [], env = {} } = {}) {
  const dir = await h.tempDir();
  const server = await h.startServer(dir, { args, env });
  const client = await h.createClient(dir);
  const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dir]);
  return { ...server, dir, client, workerToken: JSON.parse(stdout).token };
}

// One worker's steps by hand, so the test knows the exact bytes of the result.
async function worker(url, token, path, body) {
  const res = await fetch(`${url}/api/v1/worker${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

// Submits a job, claims it, uploads `bytes` as its result and completes it; the id.
async function finishedJob(genq, bytes, contentType) {
  const id = await submitJob(genq.url, genq.client.api_key);
  const claimed = await worker(genq.url, genq.workerToken, '/claim',
    { worker_id: 'js-alt', models: ['Flux1schnell'], wait_ms: 5000 });
  assert.equal(claimed.status, 200);
  const [job] = claimed.body.jobs;
  assert.equal(job.job_id, id);
  const put = await fetch(`${genq.url}/api/v1/worker/jobs/${id}/result?lease_id=${job.lease_id}`, {
    method: 'PUT', headers: { Authorization: `Bearer ${genq.workerToken}`, 'Content-Type': contentType }, body: bytes,
  });
  assert.equal(put.status, 200, await put.text());
  assert.equal((await worker(genq.url, genq.workerToken, `/jobs/${id}/complete`, { lease_id: job.lease_id })).status, 200);
  return id;
}

async function status(genq, id) {
  const res = await fetch(`${genq.url}/api/v1/client/request-status/${id}`,
    { headers: { Authorization: `Bearer ${genq.client.api_key}` } });
  assert.equal(res.status, 200);
  return (await res.json()).data;
}

async function download(url) {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

// Width and height as ffmpeg's decoders read the file: proof that it is a whole image.
async function decodedSize(h, bytes, name) {
  const file = join(await h.tempDir(), name);
  await writeFile(file, bytes);
  const { stdout } = await execFileP('ffprobe', ['-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=width,height,codec_name', '-of', 'csv=p=0', file]);
  return stdout.trim();
}

const isJpeg = (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isWebp = (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP';
const isPng = (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

test('a multi-megabyte PNG result downloads as jpg and webp, converted once and kept beside the result', async () => {
  const h = new Harness();
  try {
    const genq = await startGenq(h);
    const png = photoPng(1600, 1200);
    assert.ok(png.length > 4 * 1024 * 1024, `a photo-sized PNG (${png.length} bytes)`);
    const id = await finishedJob(genq, png, 'image/png');

    const done = await status(genq, id);
    assert.equal(done.status, 'done');
    const alt = done.results_alt_formats;
    assert.deepEqual(Object.keys(alt).sort(), ['jpg', 'webp'], 'the formats other than the result\'s own');
    for (const [ext, url] of Object.entries(alt)) {
      assert.ok(url.startsWith(`${genq.url}/files/results/${id}/output.png.alt.${ext}?expires=`), url);
      assert.match(url, /&signature=[0-9a-f]{64}$/);
    }

    const dir = join(genq.dir, 'blobs', 'results', id);
    assert.equal(await exists(join(dir, 'output.png.alt.jpg')), false, 'nothing converted before it is asked for');

    const jpg = await download(alt.jpg);
    assert.equal(jpg.status, 200);
    assert.equal(jpg.type, 'image/jpeg');
    assert.ok(isJpeg(jpg.bytes), 'JPEG magic bytes');
    assert.equal(await decodedSize(h, jpg.bytes, 'r.jpg'), 'mjpeg,1600,1200');

    // Several first requests at once: each gets the whole file, and one copy is stored.
    const webps = await Promise.all([1, 2, 3, 4].map(() => download(alt.webp)));
    for (const webp of webps) {
      assert.equal(webp.status, 200);
      assert.equal(webp.type, 'image/webp');
      assert.ok(isWebp(webp.bytes), 'WebP magic bytes');
      assert.ok(webp.bytes.equals(webps[0].bytes), 'the same copy for every request');
    }
    assert.equal(await decodedSize(h, webps[0].bytes, 'r.webp'), 'webp,1600,1200');
    assert.ok(webps[0].bytes.length < png.length, 'WebP is the smaller download');

    // The copies are files beside the result; a second download reads them (the same
    // inode and modification time: not converted and rewritten).
    const copy = join(dir, 'output.png.alt.jpg');
    const before = await stat(copy);
    assert.ok((await readFile(copy)).equals(jpg.bytes));
    const again = await download(alt.jpg);
    assert.equal(again.status, 200);
    assert.ok(again.bytes.equals(jpg.bytes));
    const after = await stat(copy);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);

    // The signature covers the format: a jpg URL does not open the webp.
    const swapped = alt.jpg.replace('.alt.jpg?', '.alt.webp?');
    assert.equal((await fetch(swapped)).status, 403);
    // The original is untouched.
    assert.ok((await download(done.result_url)).bytes.equals(png));
  } finally {
    await h.cleanup();
  }
});

test('a JPEG result is offered as png and webp', async () => {
  const h = new Harness();
  try {
    const genq = await startGenq(h);
    const file = join(await h.tempDir(), 'photo.jpg');
    await execFileP('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720', '-frames:v', '1',
      '-q:v', '2', file]);
    const jpeg = await readFile(file);
    const id = await finishedJob(genq, jpeg, 'image/jpeg');
    const alt = (await status(genq, id)).results_alt_formats;
    assert.deepEqual(Object.keys(alt).sort(), ['png', 'webp']);
    const png = await download(alt.png);
    assert.equal(png.status, 200);
    assert.equal(png.type, 'image/png');
    assert.ok(isPng(png.bytes));
    assert.equal(await decodedSize(h, png.bytes, 'r.png'), 'png,1280,720');
    const webp = await download(alt.webp);
    assert.equal(webp.status, 200);
    assert.ok(isWebp(webp.bytes));
    assert.equal(await decodedSize(h, webp.bytes, 'r.webp'), 'webp,1280,720');
  } finally {
    await h.cleanup();
  }
});

test('a damaged image result answers 422 with a reason, and the server carries on', async () => {
  const h = new Harness();
  try {
    const genq = await startGenq(h);
    const png = photoPng(800, 600);
    const truncated = await finishedJob(genq, png.subarray(0, png.length >> 1), 'image/png');
    const garbage = await finishedJob(genq, Buffer.from('this is not a picture at all'), 'image/png');
    for (const id of [truncated, garbage]) {
      const alt = (await status(genq, id)).results_alt_formats;
      for (const url of [alt.jpg, alt.webp]) {
        const res = await fetch(url);
        assert.equal(res.status, 422);
        const body = await res.json();
        assert.equal(typeof body.message, 'string');
        assert.ok(body.message.length > 0);
      }
      assert.equal(await exists(join(genq.dir, 'blobs', 'results', id, 'output.png.alt.jpg')), false);
    }
    assert.match((await (await fetch((await status(genq, truncated)).results_alt_formats.jpg)).json()).message,
      /PNG image does not decode/);
    assert.equal((await (await fetch((await status(genq, garbage)).results_alt_formats.jpg)).json()).message,
      'The result is not a PNG, JPEG or WebP image.');

    // Still serving, and still converting.
    assert.equal((await fetch(`${genq.url}/healthz`)).status, 200);
    const good = await finishedJob(genq, photoPng(64, 48), 'image/png');
    const jpg = await download((await status(genq, good)).results_alt_formats.jpg);
    assert.equal(jpg.status, 200);
    assert.ok(isJpeg(jpg.bytes));
  } finally {
    await h.cleanup();
  }
});

test('text results and unfinished jobs keep results_alt_formats null', async () => {
  const h = new Harness();
  try {
    const genq = await startGenq(h);
    const submitted = await fetch(`${genq.url}/api/v1/client/txt2embedding`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${genq.client.api_key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'Bge_M3_FP16', input: 'vector me' }),
    });
    assert.equal(submitted.status, 200);
    const id = (await submitted.json()).data.request_id;
    assert.equal((await status(genq, id)).results_alt_formats, null, 'pending');
    const claimed = await worker(genq.url, genq.workerToken, '/claim',
      { worker_id: 'js-alt', models: ['Bge_M3_FP16'], wait_ms: 5000 });
    const [job] = claimed.body.jobs;
    assert.equal((await worker(genq.url, genq.workerToken, `/jobs/${id}/complete`,
      { lease_id: job.lease_id, result: { embedding: [0.25, 0.5] } })).status, 200);
    const done = await status(genq, id);
    assert.equal(done.status, 'done');
    assert.ok(done.result_url);
    assert.equal(done.results_alt_formats, null);
  } finally {
    await h.cleanup();
  }
});

test('retention deletes the converted copies with the result', async () => {
  const h = new Harness();
  try {
    const genq = await startGenq(h, { args: ['--result-ttl-s', '4', '--retention-interval-s', '1'] });
    const id = await finishedJob(genq, photoPng(320, 240), 'image/png');
    const alt = (await status(genq, id)).results_alt_formats;
    assert.equal((await download(alt.jpg)).status, 200);
    assert.equal((await download(alt.webp)).status, 200);
    const dir = join(genq.dir, 'blobs', 'results', id);
    assert.equal(await exists(join(dir, 'output.png.alt.webp')), true);
    await waitFor(async () => !(await exists(dir)), { timeoutMs: 15000, message: 'retention to remove the job\'s files' });
    const after = await status(genq, id);
    assert.equal(after.result_url, null);
    assert.equal(after.results_alt_formats, null);
    assert.equal((await fetch(alt.jpg)).status, 404, 'the old URL finds nothing to convert');
  } finally {
    await h.cleanup();
  }
});

test('with S3 blobs the copy is stored in the bucket and the download redirects to it', async () => {
  const h = new Harness();
  const s3 = await S3Server.start();
  h.onCleanup(() => s3.close());
  try {
    const prefix = 'genq-alt';
    const genq = await startGenq(h, {
      args: ['--blobs', `s3://${s3.bucket}/${prefix}`, '--result-ttl-s', '6', '--retention-interval-s', '1'],
      env: s3.env,
    });
    const id = await finishedJob(genq, photoPng(640, 480), 'image/png');
    const alt = (await status(genq, id)).results_alt_formats;
    assert.ok(alt.webp.startsWith(`${genq.url}/files/results/${id}/output.png.alt.webp?`), 'genq converts: its own URL');

    for (let round = 0; round < 2; round++) {  // converted, then found in the bucket
      const res = await fetch(alt.webp, { redirect: 'manual' });
      assert.equal(res.status, 302);
      const location = res.headers.get('location');
      assert.ok(location.startsWith(`${s3.endpoint}/${s3.bucket}/${prefix}/results/${id}/output.png.alt.webp?X-Amz-`),
        location);
      const webp = await download(location);
      assert.equal(webp.status, 200);
      assert.ok(isWebp(webp.bytes));
      assert.equal(await decodedSize(h, webp.bytes, `r${round}.webp`), 'webp,640,480');
    }

    const sdk = new S3Client({
      endpoint: s3.endpoint, region: S3Server.region, forcePathStyle: true,
      credentials: { accessKeyId: S3Server.accessKeyId, secretAccessKey: S3Server.secretAccessKey },
    });
    const keys = async () => ((await sdk.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` })))
      .Contents ?? []).map((o) => o.Key).sort();
    assert.deepEqual(await keys(), [`${prefix}/results/${id}/output.png`, `${prefix}/results/${id}/output.png.alt.webp`]);
    await waitFor(async () => (await keys()).length === 0,
      { timeoutMs: 20000, message: 'retention to delete the result and its copy from the bucket' });
  } finally {
    await h.cleanup();
  }
});
