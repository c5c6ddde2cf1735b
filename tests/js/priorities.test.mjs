// Priorities, fair share and per-client caps through a real genq (docs/api.md,
// "Priorities and fair share"): the operator's grants on the admin API and `genq
// admin`, a 403 above max_priority in both dialects, a 429 over max_queued, claims in
// priority order passing over a client at its max_running. The worker's claims are
// the test's own calls, so what each claim returns is exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GENQ, Harness } from './support/harness.mjs';

const execFileP = promisify(execFile);
const imageBody = { model: 'Flux1schnell', prompt: 'a lighthouse', width: 256, height: 256, steps: 2 };

test('grants limit priority and queued jobs; claims take priority first and skip a client at its cap', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url } = await h.startServer(dir);
    const admin = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    const call = async (token, method, path, body) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json(), res };
    };
    const submit = (key, fields = {}) => call(key, 'POST', '/api/v1/client/txt2img', { ...imageBody, ...fields });

    // A new client: normal at most, no caps.
    const a = (await call(admin, 'POST', '/api/v1/admin/clients', { name: 'batch' })).json;
    assert.deepEqual([a.max_priority, a.max_queued, a.max_running], ['normal', 0, 0]);

    const high = await submit(a.api_key, { priority: 'high' });
    assert.equal(high.status, 403);
    assert.match(high.json.message, /priority normal at most/);
    const task = await call(a.api_key, 'POST', '/api/v1/generateTask/Flux1schnell',
      { priority: 'high', input: { mode: 'text-to-image', prompt: 'a fox' } });
    assert.equal(task.status, 403, JSON.stringify(task.json));
    const unknown = await submit(a.api_key, { priority: 'urgent' });
    assert.equal(unknown.status, 422);
    assert.deepEqual(Object.keys(unknown.json.errors), ['priority']);

    const low = await submit(a.api_key, { priority: 'low' });
    assert.equal(low.status, 200);
    const lowId = low.json.data.request_id;
    const status = await call(a.api_key, 'GET', `/api/v1/client/request-status/${lowId}`);
    assert.equal(status.json.data.priority, 'low');

    // The operator raises the grant and caps queued and running jobs.
    const changed = await call(admin, 'PATCH', `/api/v1/admin/clients/${a.client_id}/limits`,
      { max_priority: 'high', max_queued: 3, max_running: 1 });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.json, { client_id: a.client_id, max_priority: 'high', max_queued: 3, max_running: 1 });
    const normalId = (await submit(a.api_key)).json.data.request_id;
    const highId = (await submit(a.api_key, { priority: 'high' })).json.data.request_id;
    const full = await submit(a.api_key);
    assert.equal(full.status, 429);
    assert.match(full.json.message, /at most 3 jobs waiting/);
    assert.equal(full.res.headers.get('x-ratelimit-type'), 'queued');
    const listed = (await call(admin, 'GET', '/api/v1/admin/clients')).json.data.find((c) => c.client_id === a.client_id);
    assert.deepEqual([listed.max_priority, listed.max_queued, listed.max_running], ['high', 3, 1]);

    // Another client, its grants set with `genq admin`.
    const { stdout: created } = await execFileP(GENQ, ['admin', 'create-client', '--data', dir, '--name', 'single',
      '--max-priority', 'low']);
    const b = JSON.parse(created);
    assert.equal(b.max_priority, 'low');
    const { stdout: set } = await execFileP(GENQ, ['admin', 'set-client-limits', '--data', dir, '--client', b.client_id,
      '--max-priority', 'normal', '--max-running', '2']);
    assert.deepEqual(JSON.parse(set), { client_id: b.client_id, max_priority: 'normal', max_queued: 0, max_running: 2 });
    const bId = (await submit(b.api_key)).json.data.request_id;

    // One claim for four jobs: cl_a's high job first, then its other two are held
    // back by max_running 1, so cl_b's normal job follows; cl_a's next waits.
    const { token: worker } = (await call(admin, 'POST', '/api/v1/admin/worker-tokens', { name: 'w' })).json;
    const claim = await call(worker, 'POST', '/api/v1/worker/claim',
      { worker_id: 'w1', models: ['Flux1schnell'], max_jobs: 4, wait_ms: 0 });
    assert.equal(claim.status, 200, JSON.stringify(claim.json));
    assert.deepEqual(claim.json.jobs.map((j) => j.job_id), [highId, bId]);

    // Once cl_a's running job ends, its normal job goes before its low one.
    const held = claim.json.jobs[0];
    const failed = await call(worker, 'POST', `/api/v1/worker/jobs/${held.job_id}/fail`,
      { lease_id: held.lease_id, error: 'stop', retryable: false });
    assert.equal(failed.status, 200, JSON.stringify(failed.json));
    const next = await call(worker, 'POST', '/api/v1/worker/claim',
      { worker_id: 'w1', models: ['Flux1schnell'], max_jobs: 4, wait_ms: 0 });
    assert.deepEqual(next.json.jobs.map((j) => j.job_id), [normalId]);
  } finally {
    await h.cleanup();
  }
});
