// Every operation of docs/openapi.json answered by a real genq, through the global
// fetch the harness checks (support/openapi_check.mjs): the admin API, the client API
// in both dialects, the worker protocol driven by hand (no worker process: each call is
// the test's own), the Pusher HTTP API with signed requests, the operational routes.
// Each answer is held to the document; the walk then asserts it reached every operation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP, Harness, pusherFlags } from './support/harness.mjs';
import { DOCUMENT_PATH, observedAnswers } from './support/openapi_check.mjs';
import { WebhookReceiver } from './support/webhook_receiver.mjs';

const doc = JSON.parse(await readFile(DOCUMENT_PATH, 'utf8'));
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a9c0a40000000049454e44ae426082', 'hex');

// Pusher's request signature: HMAC-SHA256 over "METHOD\nPATH\nsorted query".
function signedPath(method, path, body, extra = {}) {
  const params = { ...extra, auth_key: APP.key, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0' };
  if (body !== undefined) params.body_md5 = createHash('md5').update(body).digest('hex');
  const query = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
  const signature = createHmac('sha256', APP.secret).update(`${method}\n${path}\n${query}`).digest('hex');
  return `${path}?${query}&auth_signature=${signature}`;
}

test('every documented operation answers as docs/openapi.json says', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const server = await h.startServer(dir, {
      args: [...pusherFlags(), '--billing', '--webhook-allow-http', '--webhook-allow-private',
        '--pusher-presence-channels', 'presence-lobby'],
    });
    const admin = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    // fetch with a bearer token and a JSON body; answers {status, json, res}.
    const call = async (token, method, path, body, headers = {}) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined && !Buffer.isBuffer(body) ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, json, text, res };
    };
    const expect = async (promise, status) => {
      const answer = await promise;
      assert.equal(answer.status, status, answer.text.slice(0, 500));
      return answer.json;
    };

    // Admin API.
    await expect(call(null, 'GET', '/api/v1/admin/clients'), 401);
    const client = await expect(call(admin, 'POST', '/api/v1/admin/clients', { name: 'contract' }), 200);
    await expect(call(admin, 'POST', '/api/v1/admin/clients', { name: '' }), 422);
    assert.ok((await expect(call(admin, 'GET', '/api/v1/admin/clients'), 200)).data.length >= 1);
    const { token: worker } = await expect(call(admin, 'POST', '/api/v1/admin/worker-tokens', { name: 'w', models: ['Flux1schnell'] }), 200);
    await expect(call(admin, 'POST', '/api/v1/admin/worker-tokens', { models: ['NoSuchModel'] }), 422);
    const key = client.api_key;
    const id = client.client_id;
    const body = { model: 'Flux1schnell', prompt: 'a fox', width: 256, height: 256, steps: 2 };
    // Billing on, balance 0: the submit is refused on `balance`.
    const refused = await expect(call(key, 'POST', '/api/v1/client/txt2img', body), 422);
    assert.deepEqual(Object.keys(refused.errors), ['balance']);
    await expect(call(admin, 'GET', `/api/v1/admin/clients/${id}/balance`), 200);
    await expect(call(admin, 'GET', '/api/v1/admin/clients/nobody/balance'), 404);
    await expect(call(admin, 'POST', `/api/v1/admin/clients/${id}/top-up`, { amount: 10, note: 'invoice 42' }), 200);
    await expect(call(admin, 'POST', `/api/v1/admin/clients/${id}/top-up`, { amount: 0 }), 422);
    await expect(call(admin, 'POST', `/api/v1/admin/clients/${id}/unlimited`, { unlimited: false }), 200);
    await expect(call(admin, 'POST', `/api/v1/admin/clients/${id}/disable`), 200);
    assert.equal((await expect(call(key, 'GET', '/api/v1/client/balance'), 403)).message, 'Your account has been suspended.');
    await expect(call(admin, 'POST', `/api/v1/admin/clients/${id}/enable`), 200);
    await expect(call(admin, 'PATCH', `/api/v1/admin/clients/${id}/limits`, { max_priority: 'high' }), 200);
    await expect(call(admin, 'PATCH', `/api/v1/admin/clients/${id}/limits`, { max_queued: -1 }), 422);
    await expect(call(admin, 'PATCH', '/api/v1/admin/clients/nobody/limits', {}), 404);

    // Client API.
    const receiver = await new WebhookReceiver({ secret: client.webhook_secret }).listen();
    h.onCleanup(() => receiver.close());
    await expect(call(key, 'PUT', '/api/v1/client/account/webhook', { url: receiver.url(), events: ['job.processing', 'job.completed', 'job.failed'] }), 200);
    await expect(call(key, 'PUT', '/api/v1/client/account/webhook', { url: 'ftp://x' }), 422);
    await expect(call(key, 'GET', '/api/v1/client/account/webhook'), 200);
    await expect(call(null, 'GET', '/api/v1/client/balance'), 401);
    await expect(call(key, 'GET', '/api/v1/client/balance'), 200);
    await expect(call(key, 'GET', '/api/v1/client/models?per_page=2&filter[inference_types]=txt2img'), 200);
    await expect(call(key, 'GET', '/api/v1/client/models?filter[inference_types]=nothing'), 422);
    await expect(call(key, 'GET', '/api/v1/client/realtime'), 200);
    await expect(call(key, 'POST', '/api/v1/client/txt2img/price-calculation', { model: 'Flux1schnell', steps: 4 }), 200);
    await expect(call(key, 'POST', '/api/v1/client/no-such-task', body), 404);
    const submit = async () => (await expect(call(key, 'POST', '/api/v1/client/txt2img', body), 200)).data.request_id;
    const first = await submit();
    assert.equal((await expect(call(key, 'GET', `/api/v1/client/request-status/${first}`), 200)).data.queue_position, 0);
    await expect(call(key, 'GET', '/api/v1/client/request-status/00000000-0000-7000-8000-000000000000'), 404);

    // Worker protocol, by hand.
    const claim = async () => {
      const { jobs } = await expect(call(worker, 'POST', '/api/v1/worker/claim', { worker_id: 'contract', models: ['Flux1schnell'], wait_ms: 5000 }), 200);
      assert.equal(jobs.length, 1);
      return jobs[0];
    };
    await expect(call(worker, 'POST', '/api/v1/worker/claim', { max_jobs: 99 }), 422);
    const job = await claim();
    const jobPath = `/api/v1/worker/jobs/${job.job_id}`;
    await expect(call(worker, 'POST', `${jobPath}/heartbeat`, { lease_id: job.lease_id }), 200);
    await expect(call(worker, 'POST', `${jobPath}/progress`, { lease_id: job.lease_id, progress: 50 }), 200);
    await expect(call(worker, 'POST', `${jobPath}/progress`, { lease_id: job.lease_id, progress: 150 }), 422);
    await expect(call(worker, 'POST', '/api/v1/worker/jobs/00000000-0000-7000-8000-000000000000/heartbeat', { lease_id: job.lease_id }), 404);
    await expect(call(worker, 'PUT', `${jobPath}/result?lease_id=${job.lease_id}`, PNG, { 'Content-Type': 'image/png' }), 200);
    await expect(call(worker, 'POST', `${jobPath}/complete`, { lease_id: job.lease_id }), 200);
    await expect(call(worker, 'POST', `${jobPath}/complete`, { lease_id: job.lease_id }), 409);
    const done = (await expect(call(key, 'GET', `/api/v1/client/request-status/${first}`), 200)).data;
    assert.equal(done.status, 'done');
    // Streams that end: the final state already had (204), and no key (401). The
    // streams' 200 answers are held to the document in status_streams.test.mjs.
    await expect(call(key, 'GET', `/api/v1/client/request-status/${first}/stream`, undefined,
      { 'Last-Event-ID': '1000000' }), 204);
    await expect(call(null, 'GET', '/api/v1/client/events/stream'), 401);
    await expect(call(key, 'GET', '/api/v1/client/queue'), 200);
    await expect(call(null, 'GET', new URL(done.result_url).pathname + new URL(done.result_url).search), 200);
    await expect(call(null, 'GET', `${new URL(done.result_url).pathname}?expires=1&signature=00`), 403);

    const second = await submit();
    const failing = await claim();
    assert.equal(failing.job_id, second);
    await expect(call(worker, 'POST', `/api/v1/worker/jobs/${second}/fail`, { lease_id: failing.lease_id, error: 'no', error_code: 'INVALID_INPUT' }), 200);
    const third = await submit();
    const released = await claim();
    await expect(call(worker, 'POST', `/api/v1/worker/jobs/${third}/release`, { lease_id: released.lease_id }), 200);
    const again = await claim();
    await expect(call(worker, 'PUT', `/api/v1/worker/jobs/${third}/result?lease_id=${again.lease_id}`, PNG, { 'Content-Type': 'image/png' }), 200);
    const batch = await expect(call(worker, 'POST', '/api/v1/worker/complete', { jobs: [
      { job_id: third, lease_id: again.lease_id }, { job_id: second, lease_id: failing.lease_id }] }), 200);
    assert.deepEqual(batch.jobs.map((j) => j.status), ['done', 'refused']);

    const cancelled = await submit();
    await expect(call(key, 'POST', `/api/v1/client/request-cancel/${cancelled}`), 200);
    await expect(call(key, 'POST', `/api/v1/client/request-cancel/${cancelled}`), 409);
    // Retry the failed one, then purge it with whatever else is pending.
    assert.equal((await expect(call(key, 'POST', `/api/v1/client/request-retry/${second}`), 200)).data.status, 'pending');
    await expect(call(key, 'POST', `/api/v1/client/request-retry/${cancelled}`), 409);
    await expect(call(key, 'POST', '/api/v1/client/request-retry/00000000-0000-7000-8000-000000000000'), 404);
    await expect(call(key, 'POST', '/api/v1/client/queue/purge', { model: 'NoSuchModel' }), 422);
    assert.deepEqual((await expect(call(key, 'POST', '/api/v1/client/queue/purge', { model: 'Flux1schnell' }), 200)).data.request_ids, [second]);
    await expect(call(admin, 'GET', `/api/v1/admin/jobs/${first}`), 200);
    await expect(call(admin, 'GET', '/api/v1/admin/jobs/nothing'), 404);
    await expect(call(key, 'GET', '/api/v1/client/usage?per_page=5'), 200);
    await expect(call(key, 'GET', '/api/v1/client/usage?per_page=500'), 422);

    // The lists the dashboard reads: jobs (the client's and anyone's), workers, the
    // queue, worker tokens.
    const listed = await expect(call(key, 'GET', '/api/v1/client/jobs?per_page=2&task=txt2img'), 200);
    assert.equal(listed.data.length, 2);
    assert.ok(listed.links.next.endsWith('?page=2&per_page=2&task=txt2img'), listed.links.next);
    assert.deepEqual((await expect(call(key, 'GET', '/api/v1/client/jobs?status=done'), 200)).data.map((j) => j.request_id), [third, first]);
    await expect(call(key, 'GET', '/api/v1/client/jobs?status=running'), 422);
    await expect(call(null, 'GET', '/api/v1/client/jobs'), 401);
    const anyJobs = await expect(call(admin, 'GET', `/api/v1/admin/jobs?status=done&client_id=${id}`), 200);
    assert.equal(anyJobs.data[0].worker_id, 'contract');
    await expect(call(admin, 'GET', '/api/v1/admin/jobs?task=nothing'), 422);
    await expect(call(key, 'GET', '/api/v1/admin/jobs'), 401);
    await expect(call(admin, 'GET', '/api/v1/admin/queue'), 200);
    await expect(call(admin, 'GET', '/api/v1/admin/worker-tokens'), 200);
    await expect(call(null, 'GET', '/api/v1/admin/workers'), 401);
    // Credentials' lifecycle: a key added works, and is refused once revoked.
    assert.equal((await expect(call(admin, 'GET', `/api/v1/admin/clients/${id}/api-keys`), 200)).data.length, 1);
    const added = await expect(call(admin, 'POST', `/api/v1/admin/clients/${id}/api-keys`), 200);
    await expect(call(added.api_key, 'GET', '/api/v1/client/balance'), 200);
    await expect(call(admin, 'DELETE', `/api/v1/admin/clients/${id}/api-keys/${added.id}`), 200);
    await expect(call(added.api_key, 'GET', '/api/v1/client/balance'), 401);
    await expect(call(admin, 'DELETE', `/api/v1/admin/clients/${id}/api-keys/${added.id}`), 404);
    await expect(call(admin, 'GET', '/api/v1/admin/clients/nobody/api-keys'), 404);
    await expect(call(admin, 'POST', '/api/v1/admin/worker-tokens', { name: 'spare' }), 200);
    const spare = (await expect(call(admin, 'GET', '/api/v1/admin/worker-tokens'), 200)).data.find((t) => t.name === 'spare');
    assert.equal((await expect(call(admin, 'POST', `/api/v1/admin/worker-tokens/${spare.id}/disable`), 200)).disabled, true);
    assert.equal((await expect(call(admin, 'POST', `/api/v1/admin/worker-tokens/${spare.id}/enable`), 200)).disabled, false);
    await expect(call(admin, 'DELETE', `/api/v1/admin/worker-tokens/${spare.id}`), 200);
    await expect(call(admin, 'DELETE', `/api/v1/admin/worker-tokens/${spare.id}`), 404);
    await expect(call(admin, 'POST', '/api/v1/admin/worker-tokens/nothing/disable'), 404);
    // Presence is flushed to the store every few seconds.
    const deadline = Date.now() + 20_000;
    let workers;
    for (;;) {
      workers = (await expect(call(admin, 'GET', '/api/v1/admin/workers'), 200)).data;
      if (workers.some((w) => w.worker_id === 'contract') || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(workers.some((w) => w.worker_id === 'contract' && w.online), JSON.stringify(workers));

    // Webhooks: the deliveries of the done job, a redelivery, a rotation.
    const deliveries = (await expect(call(key, 'GET', `/api/v1/client/webhook-deliveries?request_id=${first}`), 200)).data;
    assert.ok(deliveries.length >= 2, 'processing and completed');
    await expect(call(key, 'POST', `/api/v1/client/webhook-deliveries/${deliveries[0].delivery_id}/redeliver`), 200);
    await expect(call(key, 'POST', '/api/v1/client/webhook-deliveries/nothing/redeliver'), 404);
    await expect(call(key, 'GET', '/api/v1/client/webhook-deliveries'), 422);
    await expect(call(key, 'POST', '/api/v1/client/account/webhook/rotate-secret'), 200);
    await expect(call(key, 'POST', '/api/v1/client/account/webhook/recover', { since: '2026-01-01T00:00:00Z' }), 200);
    await expect(call(key, 'POST', '/api/v1/client/account/webhook/recover', { since: 'soon' }), 422);

    // The second dialect.
    const task = await expect(call(key, 'POST', '/api/v1/generateTask/Flux1schnell', { input: { mode: 'text-to-image', prompt: 'a fox' } }), 200);
    await expect(call(key, 'GET', `/api/v1/statusTask/Flux1schnell?taskId=${task.data.taskId}`), 200);
    await expect(call(key, 'GET', `/api/v1/statusTask/Flux1schnell?taskId=task_${first}`), 200);
    await expect(call(key, 'POST', '/api/v1/generateTask/NoSuchModel', { input: { mode: 'text-to-image' } }), 404);
    await expect(call(null, 'GET', '/api/v1/statusTask/Flux1schnell?taskId=task_x'), 401);

    // Prompts, the SDK's twins and the OpenAI gateway: answered without a worker.
    await expect(call(key, 'POST', '/api/v1/client/prompt/image/price-calculation', { prompt: 'a fox' }), 200);
    await expect(call(key, 'POST', '/api/v1/client/prompt/poem', { prompt: 'a fox' }), 404);
    await expect(call(key, 'GET', '/api/v1/client/prompts/samples/price-calculation?type=image'), 200);
    await expect(call(null, 'GET', '/api/v1/client/prompts/samples?type=image'), 401);
    await expect(call(key, 'POST', '/api/v1/client/videos/replace/price-calculation', { model: 'Wan2_2_Animate_Replace' }), 200);
    await expect(call(key, 'POST', '/api/v1/client/videos/replace/price', { model: 'Wan2_2_Animate_Replace' }), 200);
    await expect(call(key, 'POST', '/api/v1/client/videos/replace', { model: 'Wan2_2_Animate_Replace' }), 422);
    await expect(call(key, 'GET', '/v1/models'), 200);
    for (const path of ['/v1/embeddings', '/v1/images/generations', '/v1/images/edits', '/v1/audio/speech', '/v1/audio/transcriptions']) {
      await expect(call('wrong-key', 'POST', path, {}), 401);
    }
    await expect(call(key, 'POST', '/v1/embeddings', { model: 'NoSuchModel', input: 'x' }), 400);

    // The Pusher HTTP API, signed, and channel authorisation.
    const events = `/apps/${APP.appId}/events`;
    const event = JSON.stringify({ name: 'e', channel: 'orders', data: '{}', info: 'subscription_count' });
    await expect(call(null, 'POST', signedPath('POST', events, event), Buffer.from(event), { 'Content-Type': 'application/json' }), 200);
    await expect(call(null, 'POST', events, Buffer.from(event), { 'Content-Type': 'application/json' }), 401);
    const batchPath = `/apps/${APP.appId}/batch_events`;
    const batchBody = JSON.stringify({ batch: [{ name: 'e', channel: 'orders', data: '{}' }] });
    await expect(call(null, 'POST', signedPath('POST', batchPath, batchBody), Buffer.from(batchBody), { 'Content-Type': 'application/json' }), 200);
    await expect(call(null, 'GET', signedPath('GET', `/apps/${APP.appId}/channels`, undefined)), 200);
    await expect(call(null, 'GET', signedPath('GET', `/apps/${APP.appId}/channels/orders`, undefined, { info: 'subscription_count' })), 200);
    await expect(call(null, 'GET', signedPath('GET', `/apps/${APP.appId}/channels/presence-lobby/users`, undefined)), 200);
    await expect(call(null, 'GET', signedPath('GET', `/apps/${APP.appId}/channels/orders/users`, undefined)), 400);
    await expect(call(null, 'GET', signedPath('GET', '/apps/1/channels', undefined)), 404);
    await expect(call(key, 'POST', '/broadcasting/auth', { socket_id: '123.456', channel_name: `private-client.${id}` }), 200);
    await expect(call(null, 'GET', `/app/${APP.key}`), 404);

    // Operations.
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs/api', '/', '/ui/main.js', '/ui/style.css']) await expect(call(null, 'GET', path), 200);
    await expect(call(null, 'GET', '/ui/nope.js'), 404);
    await expect(call(null, 'GET', '/nowhere'), 404);
    await expect(call(null, 'DELETE', '/healthz'), 405);

    // Every operation answered at least once, each answer as documented.
    const answered = new Set([...observedAnswers()].map((a) => a.split(' ').slice(0, 2).join(' ')));
    const missing = Object.entries(doc.paths).flatMap(([path, item]) =>
      ['get', 'post', 'put', 'delete', 'patch'].filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((op) => !answered.has(op));
    assert.deepEqual(missing, [], 'operations this walk did not reach');
    await receiver.close();
  } finally {
    await h.cleanup();
  }
});
