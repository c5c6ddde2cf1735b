// Webhook deliveries end to end (SPEC §4, docs/webhooks.md): the real genq binary, a
// synthetic worker, and a real HTTP receiver that verifies every delivery with the
// npm `standardwebhooks` package and with deAPI's documented HMAC check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import Pusher from 'pusher-js';

import { APP, GENQ, Harness, pusherFlags, seedOptions, submitJob, waitFor } from './support/harness.mjs';

const execFileP = promisify(execFile);
import { WebhookReceiver, verifyDeapi, verifyStandard } from './support/webhook_receiver.mjs';

// Loopback receivers need both allow flags; the retry scale runs the ~23 h schedule in ~82 s.
const FLAGS = ['--webhook-allow-http', '--webhook-allow-private', '--webhook-retry-scale', '0.001'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function api(server, apiKey, method, path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

async function deliveries(server, apiKey, requestId) {
  const res = await api(server, apiKey, 'GET', `/api/v1/client/webhook-deliveries?request_id=${requestId}`);
  assert.equal(res.status, 200, res.text);
  return res.json.data;
}

const submit = (server, client, receiver, extra = {}) =>
  submitJob(server.url, client.api_key, { steps: 2, webhook_url: receiver.url(), ...extra });

// Every request the receiver got passed both checks.
function assertAllVerified(receiver) {
  assert.ok(receiver.requests.length > 0, 'the receiver got nothing');
  for (const r of receiver.requests) {
    assert.equal(r.method, 'POST');
    assert.equal(r.standardError, null, `standardwebhooks refused ${r.id}: ${r.standardError}`);
    assert.equal(r.deapiError, null, `deAPI check refused ${r.id}: ${r.deapiError}`);
    assert.equal(r.headers['x-deapi-delivery-id'], r.id);
    assert.equal(r.json.delivery_id, r.id);
    assert.equal(r.json.event, r.event);
    assert.match(r.headers['user-agent'], /genq/);
  }
}

// A server with a worker, one client and a receiver holding the client's secret.
async function setup(h, { respond, args = FLAGS, worker = true } = {}) {
  const dir = await h.tempDir();
  const client = await h.createClient(dir);
  const receiver = await new WebhookReceiver({ secret: client.webhook_secret, respond }).listen();
  h.onCleanup(() => receiver.close());
  const server = await h.startServer(dir, { args });
  if (worker) await h.startWorker(server.url, dir, { stepDelayMs: 20 });
  return { dir, client, receiver, server };
}

async function withHarness(fn) {
  const h = new Harness();
  try {
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

test('500 twice then 200: three attempts with one webhook-id, one success in the log', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h, { respond: (_, attempt) => (attempt <= 2 ? 500 : 200) });
  const requestId = await submit(server, client, receiver);

  const completed = await waitFor(() => {
    const hits = receiver.withEvent('job.completed', requestId);
    return hits.length >= 3 && hits;
  }, { message: 'three job.completed attempts' });
  assert.equal(new Set(completed.map((r) => r.id)).size, 1, 'the same webhook-id on every attempt');
  assert.deepEqual(completed.map((r) => r.status), [500, 500, 200]);
  assertAllVerified(receiver);

  const log = await waitFor(async () => {
    const list = await deliveries(server, client.api_key, requestId);
    const done = list.find((d) => d.event === 'job.completed');
    return done?.state === 'delivered' && list;
  }, { message: 'the delivery log to show job.completed delivered' });
  const done = log.find((d) => d.event === 'job.completed');
  assert.equal(done.delivery_id, completed[0].id);
  assert.equal(done.request_id, requestId);
  assert.equal(done.attempt_count, 3);
  assert.deepEqual(done.attempts.map((a) => a.http_status), [500, 500, 200]);
  assert.deepEqual(done.attempts.map((a) => a.attempt), [1, 2, 3]);
  assert.equal(done.attempts.filter((a) => a.error === null).length, 1, 'one success');
  assert.equal(done.attempts[0].error, 'HTTP 500');
  assert.match(done.attempts[0].at, ISO);
  assert.match(done.attempts[0].next_retry_at, ISO);
  assert.equal(done.attempts[2].next_retry_at, null);
  assert.equal(typeof done.attempts[0].latency_ms, 'number');
  assert.equal(done.next_retry_at, null);
  // A delivered webhook is not sent again.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(receiver.withEvent('job.completed', requestId).length, 3);
}));

// The submit's X-Request-Id is carried into the job: every attempt of every webhook of
// the job sends it back, so a receiver's logs join the client's and genq's on one id.
test('every attempt of a job\'s webhooks carries the submit\'s X-Request-Id', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h, { respond: (_, attempt) => (attempt <= 1 ? 503 : 200) });
  const traceId = `trace-${Date.now()}.webhooks`;
  const res = await fetch(`${server.url}/api/v1/client/txt2img`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${client.api_key}`, 'Content-Type': 'application/json', 'X-Request-Id': traceId },
    body: JSON.stringify({ model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2,
      webhook_url: receiver.url() }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-request-id'), traceId);
  const requestId = (await res.json()).data.request_id;
  const completed = await waitFor(() => {
    const hits = receiver.withEvent('job.completed', requestId);
    return hits.length >= 2 && hits;
  }, { message: 'two job.completed attempts' });
  const processing = receiver.withEvent('job.processing', requestId);
  assert.ok(processing.length >= 1, 'job.processing arrived');
  for (const r of [...processing, ...completed]) assert.equal(r.headers['x-request-id'], traceId, r.event);
  // A job submitted without one still gets genq's own id, the one its answer named.
  const other = await fetch(`${server.url}/api/v1/client/txt2img`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${client.api_key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2,
      webhook_url: receiver.url() }),
  });
  const madeId = other.headers.get('x-request-id');
  assert.ok(madeId);
  const otherId = (await other.json()).data.request_id;
  const hits = await waitFor(() => {
    const found = receiver.withEvent('job.completed', otherId).filter((r) => r.status === 200);
    return found.length >= 1 && found;
  }, { message: 'the second job\'s job.completed' });
  assert.equal(hits[0].headers['x-request-id'], madeId);
  assertAllVerified(receiver);
}));

// deAPI counts a receiver's 3xx as a failure; genq does not follow the redirect.
test('a redirect is a failed attempt, retried at the same URL and never followed', () => withHarness(async (h) => {
  let elsewhere = null;
  const { client, receiver, server } = await setup(h, {
    respond: (_, attempt) => (attempt === 1 ? { status: 302, headers: { Location: elsewhere } } : 200),
  });
  elsewhere = receiver.url('/elsewhere');
  const requestId = await submit(server, client, receiver);
  const completed = await waitFor(() => {
    const got = receiver.withEvent('job.completed', requestId);
    return got.length >= 2 && got;
  }, { message: 'a second job.completed attempt after the redirect' });
  assert.deepEqual(completed.map((r) => r.path), ['/hook', '/hook'], 'retried at the webhook URL itself');
  assert.equal(receiver.requests.filter((r) => r.path === '/elsewhere').length, 0, 'the redirect was not followed');
  const done = await waitFor(async () => {
    const list = await deliveries(server, client.api_key, requestId);
    const d = list.find((x) => x.event === 'job.completed');
    return d && d.state === 'delivered' && d;
  }, { message: 'job.completed delivered on its second attempt' });
  assert.deepEqual(done.attempts.map((a) => a.http_status), [302, 200]);
  assert.equal(done.attempts[0].error, 'HTTP 302');
}));

// job.failed's error_code is one of deAPI's six; a worker may name one.
test('job.failed carries deAPI error codes: the worker\'s own, else PROCESSING_ERROR', () => withHarness(async (h) => {
  const { dir, client, receiver, server } = await setup(h, { worker: false });
  const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dir]);
  const { token } = JSON.parse(stdout);
  const worker = async (path, body) => {
    const res = await fetch(`${server.url}/api/v1/worker${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    assert.equal(res.status, 200, JSON.stringify(json));
    return json;
  };
  const cases = [
    { code: 'INVALID_INPUT', expected: 'INVALID_INPUT' },
    { code: 'CONTEXT_LENGTH_EXCEEDED', expected: 'CONTEXT_LENGTH_EXCEEDED' },
    { code: 'GPU_ON_FIRE', expected: 'PROCESSING_ERROR' },
    { code: undefined, expected: 'PROCESSING_ERROR' },
  ];
  for (const { code, expected } of cases) {
    const requestId = await submit(server, client, receiver);
    const claimed = await worker('/claim', { wait_ms: 5000, max_jobs: 1 });
    const job = claimed.jobs.find((j) => j.job_id === requestId);
    assert.ok(job, `claimed ${JSON.stringify(claimed)}`);
    await worker(`/jobs/${requestId}/fail`, { lease_id: job.lease_id, error: `failed with ${code}`, error_code: code });
    const failed = await waitFor(() => receiver.withEvent('job.failed', requestId)[0], { message: `job.failed for ${code}` });
    assert.equal(failed.json.data.error_code, expected, `worker code ${code}`);
    assert.equal(failed.json.data.error_message, `failed with ${code}`);
  }
  assertAllVerified(receiver);
}));

test('410 Gone stops every further attempt', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h, { respond: () => 410 });
  const requestId = await submit(server, client, receiver);
  await waitFor(() => receiver.withEvent('job.completed', requestId).length === 1, { message: 'the first attempt' });
  const gone = await waitFor(async () => {
    const list = await deliveries(server, client.api_key, requestId);
    return list.length === 2 && list.every((d) => d.state === 'gone') && list;
  }, { message: 'both deliveries gone' });
  // At scale 0.001 the first four retries would all fall inside this second.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(receiver.withEvent('job.completed', requestId).length, 1);
  assert.equal(receiver.withEvent('job.processing', requestId).length, 1);
  for (const d of gone) {
    assert.equal(d.attempt_count, 1);
    assert.equal(d.attempts[0].http_status, 410);
    assert.equal(d.next_retry_at, null);
  }
  assertAllVerified(receiver);
}));

test('a delivery survives kill -9 of the server while its receiver is down', () => withHarness(async (h) => {
  const dir = await h.tempDir();
  const client = await h.createClient(dir);
  // Reserve a port for the receiver, then leave it closed: connections are refused.
  const probe = await new WebhookReceiver({ secret: client.webhook_secret }).listen();
  const port = probe.port;
  await probe.close();
  const hookUrl = `http://127.0.0.1:${port}/hook`;

  let server = await h.startServer(dir, { args: FLAGS });
  const worker = await h.startWorker(server.url, dir, { stepDelayMs: 20 });
  const requestId = await submitJob(server.url, client.api_key, { steps: 2, webhook_url: hookUrl });
  await waitFor(async () => {
    const list = await deliveries(server, client.api_key, requestId);
    const done = list.find((d) => d.event === 'job.completed');
    return done && done.attempt_count >= 1 && done.state === 'pending';
  }, { message: 'a failed job.completed attempt' });
  const before = (await deliveries(server, client.api_key, requestId)).find((d) => d.event === 'job.completed');
  assert.equal(before.attempts[0].http_status, null);
  assert.ok(before.attempts[0].error, 'the refused connection is recorded');

  const killed = once(server.proc, 'exit');
  server.proc.kill('SIGKILL');
  await killed;
  await h.stop(worker);

  server = await h.startServer(dir, { args: FLAGS });
  const receiver = await new WebhookReceiver({ secret: client.webhook_secret }).listen(port);
  h.onCleanup(() => receiver.close());
  await waitFor(() => receiver.withEvent('job.completed', requestId).length > 0,
    { timeoutMs: 30000, message: 'job.completed after the restart' });
  assert.equal(receiver.withEvent('job.completed', requestId)[0].id, before.delivery_id);
  assertAllVerified(receiver);
  const after = await waitFor(async () => {
    const list = await deliveries(server, client.api_key, requestId);
    const done = list.find((d) => d.event === 'job.completed');
    return done?.state === 'delivered' && done;
  }, { message: 'job.completed delivered in the log' });
  assert.ok(after.attempt_count >= 2);
}));

test('SSRF: loopback, private and link-local targets are refused with 422 when not allowed', () => withHarness(async (h) => {
  const dir = await h.tempDir();
  const client = await h.createClient(dir);
  const server = await h.startServer(dir, { args: [] });
  for (const url of ['https://127.0.0.1/hook', 'https://127.0.0.1:8443/hook', 'https://[::1]/hook',
    'https://[::ffff:127.0.0.1]/hook', 'https://localhost/hook', 'https://10.0.0.7/hook',
    'https://169.254.169.254/latest/meta-data', 'https://0.0.0.0/hook', 'https://2130706433/hook']) {
    const res = await api(server, client.api_key, 'POST', '/api/v1/client/txt2img',
      { model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2, webhook_url: url });
    assert.equal(res.status, 422, `${url}: ${res.text}`);
    assert.ok(res.json.errors.webhook_url, `${url}: ${res.text}`);
  }
  const plain = await api(server, client.api_key, 'POST', '/api/v1/client/txt2img',
    { model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2, webhook_url: 'http://127.0.0.1:9/hook' });
  assert.equal(plain.status, 422, plain.text);
  const account = await api(server, client.api_key, 'PUT', '/api/v1/client/account/webhook',
    { url: 'https://127.0.0.1/hook' });
  assert.equal(account.status, 422, account.text);
  assert.ok(account.json.errors.url);
  // A public address literal is accepted (nothing is sent: no job reaches a worker).
  const ok = await api(server, client.api_key, 'POST', '/api/v1/client/txt2img',
    { model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2, webhook_url: 'https://8.8.8.8/hook' });
  assert.equal(ok.status, 200, ok.text);
}));

test('SSRF: --webhook-allow-http alone still refuses loopback targets', () => withHarness(async (h) => {
  const dir = await h.tempDir();
  const client = await h.createClient(dir);
  const server = await h.startServer(dir, { args: ['--webhook-allow-http'] });
  const res = await api(server, client.api_key, 'POST', '/api/v1/client/txt2img',
    { model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2, webhook_url: 'http://127.0.0.1:9/hook' });
  assert.equal(res.status, 422, res.text);
  assert.match(res.json.errors.webhook_url[0], /loopback/);
  // A name's resolved address stays inside: the answer gives the kind, not the address.
  const named = await api(server, client.api_key, 'POST', '/api/v1/client/txt2img',
    { model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2, webhook_url: 'http://localhost:9/hook' });
  assert.equal(named.status, 422, named.text);
  assert.match(named.json.errors.webhook_url[0], /points to a loopback address/);
  assert.doesNotMatch(named.text, /127\.0\.0\.1|::1/);
  const unspecified = await api(server, client.api_key, 'POST', '/api/v1/client/txt2img',
    { model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 2, webhook_url: 'http://0.0.0.0:9/hook' });
  assert.match(unspecified.json.errors.webhook_url[0], /points to an unspecified address/, unspecified.text);
}));

test('SSRF at send time: a loopback target is refused on connect once the operator disallows it', () => withHarness(async (h) => {
  // The job was accepted while private targets were allowed; the server restarts without.
  const { dir, client, receiver, server } = await setup(h, { worker: false });
  const requestId = await submit(server, client, receiver);
  await h.stop(server.proc);
  const strict = await h.startServer(dir, { args: ['--webhook-allow-http', '--webhook-retry-scale', '0.001'] });
  const cancel = await api(strict, client.api_key, 'POST', `/api/v1/client/request-cancel/${requestId}`);
  assert.equal(cancel.status, 200, cancel.text);
  const log = await waitFor(async () => {
    const list = await deliveries(strict, client.api_key, requestId);
    return list.length === 1 && list[0].attempt_count >= 2 && list[0];
  }, { message: 'two refused attempts' });
  assert.equal(log.attempts[0].http_status, null);
  assert.match(log.attempts[0].error, /^refused by the address guard: it resolved to a loopback address$/);
  assert.equal(receiver.requests.length, 0, 'nothing reached the receiver');
}));

test('redeliver sends the delivery again with the same id', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h);
  const requestId = await submit(server, client, receiver);
  const first = await waitFor(() => receiver.withEvent('job.completed', requestId)[0], { message: 'job.completed' });
  await waitFor(async () => (await deliveries(server, client.api_key, requestId))
    .find((d) => d.event === 'job.completed')?.state === 'delivered', { message: 'delivered' });

  const res = await api(server, client.api_key, 'POST', `/api/v1/client/webhook-deliveries/${first.id}/redeliver`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.data.delivery_id, first.id);
  const again = await waitFor(() => {
    const hits = receiver.withId(first.id);
    return hits.length === 2 && hits[1];
  }, { message: 'the redelivery' });
  assert.equal(again.json.delivery_id, first.id);
  assert.equal(again.headers['webhook-id'], first.id);
  assertAllVerified(receiver);
  const log = await waitFor(async () => {
    const done = (await deliveries(server, client.api_key, requestId)).find((d) => d.delivery_id === first.id);
    return done.attempt_count === 2 && done.state === 'delivered' && done;
  }, { message: 'two attempts in the log' });
  assert.deepEqual(log.attempts.map((a) => a.http_status), [200, 200]);
}));

test('another client gets 404 for the delivery log and redelivery', () => withHarness(async (h) => {
  const { dir, client, receiver, server } = await setup(h);
  const requestId = await submit(server, client, receiver);
  const first = await waitFor(() => receiver.withEvent('job.completed', requestId)[0], { message: 'job.completed' });
  const other = await h.createClient(dir, 'other');
  const log = await api(server, other.api_key, 'GET', `/api/v1/client/webhook-deliveries?request_id=${requestId}`);
  assert.equal(log.status, 404, log.text);
  const redeliver = await api(server, other.api_key, 'POST', `/api/v1/client/webhook-deliveries/${first.id}/redeliver`);
  assert.equal(redeliver.status, 404, redeliver.text);
  const missing = await api(server, client.api_key, 'GET', '/api/v1/client/webhook-deliveries');
  assert.equal(missing.status, 422, missing.text);
  const anonymous = await fetch(`${server.url}/api/v1/client/webhook-deliveries?request_id=${requestId}`);
  assert.equal(anonymous.status, 401);
}));

test('an idle server sends nothing', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h);
  const put = await api(server, client.api_key, 'PUT', '/api/v1/client/account/webhook', { url: receiver.url('/account') });
  assert.equal(put.status, 200, put.text);
  // Nothing happens to any job: the receiver must stay silent (the engine wakes at
  // start and at least every 5 s; 6 s covers both).
  await new Promise((r) => setTimeout(r, 6000));
  assert.equal(receiver.requests.length, 0, JSON.stringify(receiver.requests.map((r) => r.event)));
}));

test('job.processing and job.completed payloads', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h);
  const requestId = await submit(server, client, receiver);
  const processing = await waitFor(() => receiver.withEvent('job.processing', requestId)[0], { message: 'job.processing' });
  const completed = await waitFor(() => receiver.withEvent('job.completed', requestId)[0], { message: 'job.completed' });
  assertAllVerified(receiver);

  assert.deepEqual(Object.keys(processing.json), ['event', 'delivery_id', 'timestamp', 'data']);
  assert.match(processing.json.timestamp, ISO);
  const p = processing.json.data;
  assert.equal(p.job_request_id, requestId);
  assert.equal(p.status, 'processing');
  assert.equal(p.previous_status, 'pending');
  assert.equal(p.job_type, 'txt2img');
  assert.match(p.started_at, ISO);

  const c = completed.json.data;
  assert.equal(completed.json.event, 'job.completed');
  assert.equal(c.job_request_id, requestId);
  assert.equal(c.status, 'done');
  assert.ok(['processing', 'in_progress'].includes(c.previous_status), c.previous_status);
  assert.equal(c.job_type, 'txt2img');
  assert.match(c.completed_at, ISO);
  assert.equal(typeof c.processing_time_ms, 'number');
  assert.ok(c.processing_time_ms >= 0);
  const file = await fetch(c.result_url);
  assert.equal(file.status, 200, 'result_url downloads');
  assert.notEqual(processing.id, completed.id, 'each event has its own delivery id');
}));

test('job.failed payload for a cancelled job', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h, { worker: false });
  const requestId = await submit(server, client, receiver);
  const cancel = await api(server, client.api_key, 'POST', `/api/v1/client/request-cancel/${requestId}`);
  assert.equal(cancel.status, 200, cancel.text);
  const failed = await waitFor(() => receiver.withEvent('job.failed', requestId)[0], { message: 'job.failed' });
  assertAllVerified(receiver);
  assert.equal(failed.json.event, 'job.failed');
  const d = failed.json.data;
  assert.equal(d.job_request_id, requestId);
  assert.equal(d.status, 'error');
  assert.equal(d.previous_status, 'pending');
  assert.equal(d.job_type, 'txt2img');
  assert.equal(d.error_code, 'UNKNOWN_ERROR', 'deAPI has no code for a cancel');
  assert.equal(d.error_message, 'cancelled');
  assert.equal(receiver.withEvent('job.processing', requestId).length, 0, 'never claimed, never processing');
}));

test('job.failed for a job no worker started within its cancel_after: EXPIRED', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h, { worker: false });
  const requestId = await submit(server, client, receiver, { cancel_after: 1 });
  const failed = await waitFor(() => receiver.withEvent('job.failed', requestId)[0], { message: 'job.failed' });
  assertAllVerified(receiver);
  const d = failed.json.data;
  assert.equal(d.status, 'error');
  assert.equal(d.previous_status, 'pending');
  assert.equal(d.error_code, 'EXPIRED');
  assert.equal(d.error_message, 'expired: no worker started it within cancel_after (1 s)');
}));

test('--webhook-rate-per-host: a burst of 40 deliveries reaches the receiver at its rate', () => withHarness(async (h) => {
  const rate = 10;
  const { client, receiver, server } = await setup(h, {
    worker: false, args: [...FLAGS, '--webhook-rate-per-host', String(rate)],
  });
  const ids = [];
  for (let i = 0; i < 40; i++) ids.push(await submit(server, client, receiver));
  const purge = await api(server, client.api_key, 'POST', '/api/v1/client/queue/purge');
  assert.equal(purge.status, 200, purge.text);
  await waitFor(() => receiver.requests.length >= 40, { timeoutMs: 30000, message: '40 job.failed deliveries' });
  assertAllVerified(receiver);
  const times = receiver.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
  // A bucket of one second's worth: the first `rate` at once, then `rate` a second.
  const span = times[times.length - 1] - times[0];
  assert.ok(span >= ((40 - rate) / rate) * 1000 * 0.85, `40 deliveries in ${span.toFixed(0)} ms: faster than ${rate}/s`);
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= times[i] && t < times[i] + 1000).length;
    assert.ok(inWindow <= 2 * rate, `${inWindow} deliveries within one second from #${i}`);
  }
}));

test('webhook_events: a job reports only the events it names', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h);
  const requestId = await submit(server, client, receiver, { webhook_events: ['job.completed'] });
  await waitFor(() => receiver.withEvent('job.completed', requestId)[0], { message: 'job.completed' });
  assertAllVerified(receiver);
  const log = await deliveries(server, client.api_key, requestId);
  assert.deepEqual(log.map((d) => d.event), ['job.completed'], 'no job.processing was written');
  assert.equal(receiver.withEvent('job.processing', requestId).length, 0);

  for (const bad of [['job.started'], [], 'job.completed', [7]]) {
    const res = await fetch(`${server.url}/api/v1/client/txt2img`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${client.api_key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'Flux1schnell', prompt: 'x', webhook_url: receiver.url(), webhook_events: bad }),
    });
    const body = await res.json();
    assert.equal(res.status, 422, `webhook_events ${JSON.stringify(bad)}: ${JSON.stringify(body)}`);
    assert.ok(Array.isArray(body.errors?.webhook_events), JSON.stringify(body));
  }
}));

test('a per-job webhook_secret signs that job\'s deliveries', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h, { worker: false });
  const jobSecret = 'per-job-secret-0123456789-abcdefghijklmnop';
  receiver.secret = jobSecret;
  const requestId = await submit(server, client, receiver, { webhook_secret: jobSecret });
  await api(server, client.api_key, 'POST', `/api/v1/client/request-cancel/${requestId}`);
  const failed = await waitFor(() => receiver.withEvent('job.failed', requestId)[0], { message: 'job.failed' });
  assertAllVerified(receiver);
  assert.throws(() => verifyDeapi(client.webhook_secret, failed.headers, failed.body), /mismatch/);
}));

test('rotating the account secret signs with both secrets during the overlap', () => withHarness(async (h) => {
  const { client, receiver, server } = await setup(h, { worker: false });
  const rotated = await api(server, client.api_key, 'POST', '/api/v1/client/account/webhook/rotate-secret');
  assert.equal(rotated.status, 200, rotated.text);
  const fresh = rotated.json.data.webhook_secret;
  assert.match(fresh, /^whsec_[A-Za-z0-9+/]+=*$/);
  assert.notEqual(fresh, client.webhook_secret);
  assert.match(rotated.json.data.previous_secret_expires_at, ISO);
  receiver.secret = fresh;

  const put = await api(server, client.api_key, 'PUT', '/api/v1/client/account/webhook', { url: receiver.url('/account') });
  assert.equal(put.status, 200, put.text);
  const requestId = await submitJob(server.url, client.api_key, { steps: 2 });
  await api(server, client.api_key, 'POST', `/api/v1/client/request-cancel/${requestId}`);
  const failed = await waitFor(() => receiver.withEvent('job.failed', requestId)[0], { message: 'job.failed' });
  assert.equal(failed.path, '/account');
  assertAllVerified(receiver);  // with the new secret
  assert.doesNotThrow(() => verifyStandard(client.webhook_secret, failed.headers, failed.body), 'old secret still verifies');
  assert.equal(failed.headers['webhook-signature'].split(' ').length, 2);
  assert.doesNotThrow(() => verifyDeapi(client.webhook_secret,
    { ...failed.headers, 'x-deapi-signature': failed.headers['x-deapi-signature-previous'] }, failed.body));
}));

// docs/webhooks.md, "Endpoint health": deAPI's rule (N failures in a row) by flag.
test('an account webhook failing every attempt is disabled with a webhook.disabled event, and recover resends its failed deliveries', () => withHarness(async (h) => {
  let healthy = false;
  const { client, receiver, server } = await setup(h, {
    worker: false, respond: () => (healthy ? 200 : 500),
    args: [...FLAGS, ...pusherFlags(), '--webhook-disable-after-failures', '3'],
  });
  const pusher = new Pusher(APP.key, seedOptions(server.port, server.url, client.api_key));
  h.onCleanup(() => pusher.disconnect());
  const notices = [];
  const channel = pusher.subscribe(`private-client.${client.client_id}`);
  channel.bind('webhook.disabled', (data) => notices.push(data));
  await new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', reject);
  });
  const before = new Date(Date.now() - 1000).toISOString();
  const put = await api(server, client.api_key, 'PUT', '/api/v1/client/account/webhook', { url: receiver.url('/account') });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.data.enabled, true);
  assert.equal(put.json.data.consecutive_failures, 0);

  const cancelled = async () => {
    const id = await submitJob(server.url, client.api_key, { steps: 2 });
    const res = await api(server, client.api_key, 'POST', `/api/v1/client/request-cancel/${id}`);
    assert.equal(res.status, 200, res.text);
    return id;
  };
  const first = [await cancelled(), await cancelled()];
  // Two first attempts and (at the 0.001 retry scale, ~60 ms later) a retry: three in a row.
  const notice = await waitFor(() => notices[0], { timeoutMs: 20000, message: 'the webhook.disabled event' });
  assert.equal(notice.url, receiver.url('/account'));
  assert.equal(notice.reason, '3 attempts in a row failed');
  assert.match(notice.disabled_at, ISO);
  const settings = await api(server, client.api_key, 'GET', '/api/v1/client/account/webhook');
  assert.equal(settings.status, 200, settings.text);
  assert.equal(settings.json.data.enabled, false);
  assert.equal(settings.json.data.disabled_reason, '3 attempts in a row failed');
  assert.match(settings.json.data.disabled_at, ISO);
  assert.ok(settings.json.data.consecutive_failures >= 3, settings.text);

  // Disabled: a new job's delivery and the retries end without reaching the receiver.
  const later = await cancelled();
  const log = await waitFor(async () => {
    const list = await deliveries(server, client.api_key, later);
    return list[0]?.state === 'failed' && list;
  }, { message: 'the new delivery failed unsent' });
  assert.match(log[0].attempts.at(-1).error, /account webhook is disabled/);
  const reached = receiver.requests.length;
  assert.ok(receiver.requests.every((r) => first.includes(r.json?.data?.job_request_id)),
    'nothing of the later job reached the receiver');
  await waitFor(async () => {
    for (const id of first) {
      const list = await deliveries(server, client.api_key, id);
      if (list[0]?.state !== 'failed') return false;
    }
    return true;
  }, { message: 'the first deliveries failed' });
  assert.equal(receiver.requests.length, reached, 'no attempt while disabled');
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^genq_webhook_endpoints_disabled_total 1$/m);

  // Validation, then recover: enabled, and all three failed deliveries arrive.
  for (const bad of [{}, { since: 'yesterday' }, { since: before, until: before }, { since: before, extra: 1 }]) {
    const res = await api(server, client.api_key, 'POST', '/api/v1/client/account/webhook/recover', bad);
    assert.equal(res.status, 422, `${JSON.stringify(bad)}: ${res.text}`);
  }
  healthy = true;
  const recovered = await api(server, client.api_key, 'POST', '/api/v1/client/account/webhook/recover', { since: before });
  assert.equal(recovered.status, 200, recovered.text);
  assert.deepEqual(recovered.json.data, { recovered: 3, enabled: true });
  for (const id of [...first, later]) {
    await waitFor(() => receiver.withEvent('job.failed', id).some((r) => r.status === 200),
      { message: `job ${id} delivered after the recover` });
  }
  assertAllVerified(receiver);
  const enabled = await api(server, client.api_key, 'GET', '/api/v1/client/account/webhook');
  assert.equal(enabled.json.data.enabled, true, enabled.text);
}));
