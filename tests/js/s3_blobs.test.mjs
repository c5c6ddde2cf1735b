// genq with --blobs s3://… on a real S3 server (npm's s3rver behind a SigV4 check,
// support/s3_server.mjs), configured by the standard AWS_* variables: a worker uploads
// a multi-megabyte result through genq, which streams it on to S3; the client's
// result_url is a presigned S3 URL that returns the same bytes; the official AWS SDK
// sees the object where genq put it; cancel and retention delete the files; the
// reference Node worker reads its input from a presigned S3 URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes, createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { S3Client, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Harness, GENQ, waitFor, submitJob } from './support/harness.mjs';
import { S3Server } from './support/s3_server.mjs';
import { png } from './support/deapi_sdk.mjs';

const WORKER = fileURLToPath(new URL('../../examples/worker-node/worker.mjs', import.meta.url));
const execFileP = promisify(execFile);
const PREFIX = 'genq-node-test';
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function sdkClient(s3) {
  return new S3Client({
    endpoint: s3.endpoint,
    region: S3Server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: S3Server.accessKeyId, secretAccessKey: S3Server.secretAccessKey },
  });
}

async function objectExists(sdk, bucket, key) {
  try {
    await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (error.$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

async function startGenqOnS3(h, s3, extraArgs = []) {
  const dir = await h.tempDir();
  const server = await h.startServer(dir, { args: ['--blobs', `s3://${s3.bucket}/${PREFIX}`, ...extraArgs], env: s3.env });
  const client = await h.createClient(dir);
  const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dir]);
  const { token } = JSON.parse(stdout);
  return { ...server, dir, client, workerToken: token };
}

// One worker step by hand, so the test knows the exact bytes it uploads.
async function claimOne(url, token) {
  const res = await fetch(`${url}/api/v1/worker/claim`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ worker_id: 'js-s3', models: ['Flux1schnell'], wait_ms: 5000 }),
  });
  assert.equal(res.status, 200);
  const { jobs } = await res.json();
  assert.equal(jobs.length, 1, 'a job to claim');
  return jobs[0];
}

async function upload(url, token, job, bytes) {
  const res = await fetch(`${url}/api/v1/worker/jobs/${job.job_id}/result?lease_id=${job.lease_id}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' },
    body: bytes,
  });
  return { status: res.status, body: await res.json() };
}

async function complete(url, token, job) {
  const res = await fetch(`${url}/api/v1/worker/jobs/${job.job_id}/complete`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ lease_id: job.lease_id }),
  });
  return res.status;
}

async function status(url, apiKey, id) {
  const res = await fetch(`${url}/api/v1/client/request-status/${id}`, { headers: { Authorization: `Bearer ${apiKey}` } });
  assert.equal(res.status, 200);
  return (await res.json()).data;
}

test('a result uploaded through genq lands on S3 and result_url downloads the same bytes', async () => {
  const h = new Harness();
  const s3 = await S3Server.start();
  h.onCleanup(() => s3.close());
  try {
    const genq = await startGenqOnS3(h, s3);
    const id = await submitJob(genq.url, genq.client.api_key);
    const job = await claimOne(genq.url, genq.workerToken);
    const bytes = randomBytes(6 * 1024 * 1024 + 123);
    const uploaded = await upload(genq.url, genq.workerToken, job, bytes);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    assert.equal(uploaded.body.bytes, bytes.length);
    assert.equal(await complete(genq.url, genq.workerToken, job), 200);

    const done = await status(genq.url, genq.client.api_key, id);
    assert.equal(done.status, 'done');
    const key = `${PREFIX}/results/${id}/output.png`;
    assert.ok(done.result_url.startsWith(`${s3.endpoint}/${s3.bucket}/${key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&`),
      `result_url is a presigned S3 URL: ${done.result_url}`);
    assert.match(done.result_url, /X-Amz-Expires=3600&/, 'valid as long as genq\'s own signed URLs (--url-ttl-s)');
    const download = await fetch(done.result_url);
    assert.equal(download.status, 200);
    const got = Buffer.from(await download.arrayBuffer());
    assert.equal(got.length, bytes.length);
    assert.equal(sha256(got), sha256(bytes));

    // The official SDK sees the object where genq put it, with its size.
    const sdk = sdkClient(s3);
    const head = await sdk.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    assert.equal(head.ContentLength, bytes.length);

    // An altered URL is refused, as S3 refuses it.
    const tampered = done.result_url.replace(`/results/${id}/`, `/results/${id.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}/`);
    assert.equal((await fetch(tampered)).status, 403);
  } finally {
    await h.cleanup();
  }
});

test('cancel and retention delete a job\'s files from S3', async () => {
  const h = new Harness();
  const s3 = await S3Server.start();
  h.onCleanup(() => s3.close());
  try {
    const genq = await startGenqOnS3(h, s3, ['--result-ttl-s', '1', '--retention-interval-s', '1']);
    const sdk = sdkClient(s3);

    // Cancelled after the worker uploaded: the upload goes, the late complete is refused.
    const cancelled = await submitJob(genq.url, genq.client.api_key);
    const running = await claimOne(genq.url, genq.workerToken);
    assert.equal((await upload(genq.url, genq.workerToken, running, randomBytes(64 * 1024))).status, 200);
    const cancelledKey = `${PREFIX}/results/${cancelled}/output.png`;
    assert.equal(await objectExists(sdk, s3.bucket, cancelledKey), true);
    const res = await fetch(`${genq.url}/api/v1/client/request-cancel/${cancelled}`, {
      method: 'POST', headers: { Authorization: `Bearer ${genq.client.api_key}` },
    });
    assert.equal(res.status, 200);
    await waitFor(async () => !(await objectExists(sdk, s3.bucket, cancelledKey)),
      { timeoutMs: 10000, message: 'the cancelled job\'s upload to be deleted' });
    assert.equal(await complete(genq.url, genq.workerToken, running), 409);

    // Done, then past --result-ttl-s: the retention sweep deletes the result.
    const finished = await submitJob(genq.url, genq.client.api_key);
    const job = await claimOne(genq.url, genq.workerToken);
    assert.equal((await upload(genq.url, genq.workerToken, job, randomBytes(128 * 1024))).status, 200);
    assert.equal(await complete(genq.url, genq.workerToken, job), 200);
    const finishedKey = `${PREFIX}/results/${finished}/output.png`;
    await waitFor(async () => !(await objectExists(sdk, s3.bucket, finishedKey)),
      { timeoutMs: 15000, message: 'retention to delete the expired result' });
    assert.equal((await status(genq.url, genq.client.api_key, finished)).result_url, null, 'no URL to a deleted file');

    const left = await sdk.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${PREFIX}/` }));
    assert.deepEqual((left.Contents ?? []).map((o) => o.Key), [], 'nothing left behind');
  } finally {
    await h.cleanup();
  }
});

test('the reference Node worker fetches its input from S3 and its result lands there', async () => {
  const h = new Harness();
  const s3 = await S3Server.start();
  h.onCleanup(() => s3.close());
  try {
    const genq = await startGenqOnS3(h, s3);
    const form = new FormData();
    for (const [name, value] of Object.entries({ prompt: 'paint it', model: 'Flux_2_Klein_4B_BF16', steps: '4', seed: '2' })) {
      form.append(name, value);
    }
    form.append('image', new Blob([png(64, 48)], { type: 'image/png' }), 'photo.png');
    const submitted = await fetch(`${genq.url}/api/v1/client/img2img`, {
      method: 'POST', headers: { Authorization: `Bearer ${genq.client.api_key}` }, body: form,
    });
    assert.equal(submitted.status, 200);
    const id = (await submitted.json()).data.request_id;
    const sdk = sdkClient(s3);
    assert.equal(await objectExists(sdk, s3.bucket, `${PREFIX}/inputs/${id}/image.png`), true, 'the input is on S3');

    const worker = spawn(process.execPath, [WORKER, '--server', genq.url, '--token', genq.workerToken, '--backend', 'synthetic',
      '--step-delay-ms', '20'], { stdio: ['ignore', 'ignore', 'pipe'] });
    h.processes.push(worker);
    let log = '';
    worker.stderr.on('data', (d) => { log += d; });
    const done = await waitFor(async () => {
      const s = await status(genq.url, genq.client.api_key, id);
      return s.status === 'done' || s.status === 'error' ? s : undefined;
    }, { timeoutMs: 30000, message: 'the Node worker to finish the job' });
    assert.equal(done.status, 'done', log);
    assert.ok(done.result_url.startsWith(`${s3.endpoint}/${s3.bucket}/${PREFIX}/results/${id}/output.png?`), done.result_url);
    const image = Buffer.from(await (await fetch(done.result_url)).arrayBuffer());
    assert.deepEqual([...image.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
  } finally {
    await h.cleanup();
  }
});

test('a wrong S3 secret stops genq serve at start, saying so', async () => {
  const h = new Harness();
  const s3 = await S3Server.start();
  h.onCleanup(() => s3.close());
  try {
    const dir = await h.tempDir();
    await assert.rejects(
      h.startServer(dir, { args: ['--blobs', `s3://${s3.bucket}`, '--s3-secret-access-key', 'wrong'], env: s3.env }),
      /SignatureDoesNotMatch|AccessDenied|HTTP 403/);
  } finally {
    await h.cleanup();
  }
});
