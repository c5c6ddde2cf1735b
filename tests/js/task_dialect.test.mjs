// The second dialect as its users' code drives it (SPEC §6, docs/task-api.md): the
// seed's backoff polling loop reaching success and downloading every resultUrls
// entry for each kind of output; callbacks that arrive signed, carry the statusTask
// body of the final state and nothing for "processing"; the failure path; retries.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import Pusher from 'pusher-js';

import { APP, Harness, pusherFlags, seedOptions, waitFor } from './support/harness.mjs';
import { checkStatus, pollWithBackoff } from './support/poll_with_backoff.mjs';
import { WebhookReceiver } from './support/webhook_receiver.mjs';

const FLAGS = ['--webhook-allow-http', '--webhook-allow-private', '--webhook-retry-scale', '0.001'];

async function generateTask(server, apiKey, model, body) {
  const res = await fetch(`${server.url}/api/v1/generateTask/${model}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  assert.deepEqual(Object.keys(json).sort(), ['code', 'data', 'message']);
  assert.match(json.data.taskId, /^task_[0-9a-f-]{36}$/);
  return json.data.taskId;
}

async function setup(h, { worker = true, respond } = {}) {
  const dir = await h.tempDir();
  const client = await h.createClient(dir);
  const receiver = await new WebhookReceiver({ secret: client.webhook_secret, respond }).listen();
  h.onCleanup(() => receiver.close());
  const server = await h.startServer(dir, { args: FLAGS });
  if (worker) await h.startWorker(server.url, dir, { stepDelayMs: 20 });
  return { client, receiver, server };
}

// The first bytes that say what a downloaded file is.
const MAGIC = {
  image: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  audio: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WAVE',
  video: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp',
};

test('the seed\'s backoff polling loop reaches success and every resultUrls entry downloads', async (t) => {
  const h = new Harness();
  t.after(() => h.cleanup());
  const { client, server } = await setup(h);
  const cases = [
    { model: 'Flux1schnell', kind: 'image', input: { mode: 'text-to-image', prompt: 'A beautiful sunset over mountains', width: 256, height: 256 } },
    { model: 'Kokoro', kind: 'audio', input: { mode: 'text-to-audio', text: 'Hello from genq.', format: 'wav' } },
    { model: 'Ltxv_13B_0_9_8_Distilled_FP8', kind: 'video', input: { mode: 'text-to-video', prompt: 'waves', width: 256, height: 256, frames: 30 } },
  ];
  await Promise.all(cases.map(async ({ model, kind, input }) => {
    const taskId = await generateTask(server, client.api_key, model, { request_type: 'async', input });
    const result = await pollWithBackoff((id) => checkStatus(server.url, client.api_key, model, id), taskId, 60000, 100);
    assert.equal(result.taskId, taskId);
    assert.equal(result.state, 'success');
    assert.ok(Number.isInteger(result.costTime) && result.costTime >= 0, `costTime ${result.costTime}`);
    assert.equal(typeof result.resultJson, 'string', 'resultJson is a JSON string');
    const { resultUrls } = JSON.parse(result.resultJson);
    assert.ok(resultUrls.length >= 1, `${model}: no resultUrls`);
    for (const url of resultUrls) {
      const res = await fetch(url);
      assert.equal(res.status, 200, `${url} answered ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.ok(MAGIC[kind](bytes), `${model}: ${url} is not a ${kind} file`);
    }
  }));
});

test('a failed task makes the seed\'s loop throw failMsg', async (t) => {
  const h = new Harness();
  t.after(() => h.cleanup());
  const { client, server } = await setup(h, { worker: false });
  const taskId = await generateTask(server, client.api_key, 'Flux1schnell',
    { request_type: 'async', input: { mode: 'text-to-image', prompt: 'never runs' } });
  const cancel = await fetch(`${server.url}/api/v1/client/request-cancel/${taskId}`, {
    method: 'POST', headers: { Authorization: `Bearer ${client.api_key}` },
  });
  assert.equal(cancel.status, 200);
  await assert.rejects(
    pollWithBackoff((id) => checkStatus(server.url, client.api_key, 'Flux1schnell', id), taskId, 10000, 100),
    /cancelled/,
  );
});

test('a callback task calls back once, signed, with the statusTask body of its final state', async (t) => {
  const h = new Harness();
  t.after(() => h.cleanup());
  const { client, receiver, server } = await setup(h);
  const taskId = await generateTask(server, client.api_key, 'Flux1schnell', {
    request_type: 'callback',
    callback_url: receiver.url('/apixo/callback'),
    input: { mode: 'text-to-image', prompt: 'A lighthouse at night', width: 256, height: 256 },
  });
  await waitFor(() => receiver.requests.length > 0, { message: 'the callback arrives' });
  const [callback] = receiver.requests;
  assert.equal(callback.method, 'POST');
  assert.equal(callback.path, '/apixo/callback');
  assert.equal(callback.standardError, null, `standardwebhooks refused it: ${callback.standardError}`);
  assert.equal(callback.deapiError, null, `deAPI check refused it: ${callback.deapiError}`);
  assert.equal(callback.event, 'job.completed');

  const status = await (await fetch(`${server.url}/api/v1/statusTask/Flux1schnell?taskId=${taskId}`, {
    headers: { Authorization: `Bearer ${client.api_key}` },
  })).json();
  // The same document; only the result URL's signature time may differ.
  const strip = (body) => ({ ...body, data: { ...body.data, resultJson: undefined } });
  assert.deepEqual(strip(callback.json), strip(status));
  assert.equal(callback.json.data.state, 'success');
  const [url] = JSON.parse(callback.json.data.resultJson).resultUrls;
  const download = await fetch(url);
  assert.equal(download.status, 200);
  assert.ok(MAGIC.image(Buffer.from(await download.arrayBuffer())));

  // Nothing for "processing": the delivery log holds the one completed delivery.
  const log = await (await fetch(`${server.url}/api/v1/client/webhook-deliveries?request_id=${taskId.slice(5)}`, {
    headers: { Authorization: `Bearer ${client.api_key}` },
  })).json();
  assert.deepEqual(log.data.map((d) => d.event), ['job.completed']);
  assert.equal(log.data[0].state, 'delivered');
  assert.equal(receiver.requests.length, 1);
});

test('a failing callback task calls back with state failed and failMsg', async (t) => {
  const h = new Harness();
  t.after(() => h.cleanup());
  const { client, receiver, server } = await setup(h, { worker: false });
  const taskId = await generateTask(server, client.api_key, 'Flux1schnell', {
    request_type: 'callback',
    callback_url: receiver.url(),
    input: { mode: 'text-to-image', prompt: 'cancelled before it runs' },
  });
  const cancel = await fetch(`${server.url}/api/v1/client/request-cancel/${taskId}`, {
    method: 'POST', headers: { Authorization: `Bearer ${client.api_key}` },
  });
  assert.equal(cancel.status, 200);
  await waitFor(() => receiver.requests.length > 0, { message: 'the failure callback arrives' });
  const [callback] = receiver.requests;
  assert.equal(callback.standardError, null);
  assert.equal(callback.event, 'job.failed');
  assert.deepEqual(callback.json, {
    code: 200, message: 'success', data: { taskId, state: 'failed', failMsg: 'cancelled', progress: 0 },
  });
});

test('a callback receiver that fails at first gets the callback again until it takes it', async (t) => {
  const h = new Harness();
  t.after(() => h.cleanup());
  const { client, receiver, server } = await setup(h, { respond: (_, attempt) => (attempt < 3 ? 503 : 200) });
  const taskId = await generateTask(server, client.api_key, 'Flux1schnell', {
    request_type: 'callback', callback_url: receiver.url(),
    input: { mode: 'text-to-image', prompt: 'retry me', width: 256, height: 256 },
  });
  await waitFor(() => receiver.requests.some((r) => r.status === 200), { timeoutMs: 30000, message: 'a retry succeeds' });
  const ids = new Set(receiver.requests.map((r) => r.id));
  assert.equal(ids.size, 1, 'every attempt is the same delivery');
  assert.equal(receiver.requests.length, 3);
  for (const r of receiver.requests) {
    assert.equal(r.standardError, null);
    assert.equal(r.json.data.taskId, taskId);
    assert.equal(r.json.data.state, 'success');
  }
});

test('a task shows on the client\'s WebSocket channel like any other job', async (t) => {
  const h = new Harness();
  t.after(() => h.cleanup());
  const dir = await h.tempDir();
  const client = await h.createClient(dir);
  const server = await h.startServer(dir, { args: pusherFlags() });
  await h.startWorker(server.url, dir, { stepDelayMs: 20 });
  const pusher = new Pusher(APP.key, seedOptions(server.port, server.url, client.api_key));
  h.onCleanup(() => pusher.disconnect());
  const channel = pusher.subscribe(`private-client.${client.client_id}`);
  const events = [];
  channel.bind('request.status.updated', (data) => events.push(data));
  await new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', reject);
  });

  const taskId = await generateTask(server, client.api_key, 'Flux1schnell',
    { request_type: 'async', input: { mode: 'text-to-image', prompt: 'seen live', width: 256, height: 256 } });
  const requestId = taskId.slice('task_'.length);
  await waitFor(() => events.some((e) => e.request_id === requestId && e.status === 'done'), {
    message: 'the task\'s done event',
  });
  const mine = events.filter((e) => e.request_id === requestId);
  assert.ok(mine.some((e) => e.status === 'processing'), 'a processing event');
  const download = await fetch(mine.at(-1).result_url);
  assert.equal(download.status, 200);
});
