// Sync mode as a plain HTTP client uses it: `Prefer: wait` on a submit, with a real
// synthetic worker; every answer is checked against docs/openapi.json by the harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './support/harness.mjs';

const imageBody = JSON.stringify({ model: 'Flux1schnell', prompt: 'a lighthouse at dusk', width: 256, height: 256, steps: 4 });

test('Prefer: wait answers the finished job, its result downloadable; a short wait answers it pending', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url } = await h.startServer(dir);
    const { api_key: key } = await h.createClient(dir);
    const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };

    // No worker yet: a one-second wait answers the job as it stands, with where to poll it.
    const pending = await fetch(`${url}/api/v1/client/txt2img`, { method: 'POST', headers: { ...headers, Prefer: 'wait=1' }, body: imageBody });
    assert.equal(pending.status, 200);
    assert.equal(pending.headers.get('preference-applied'), 'wait=1');
    const held = (await pending.json()).data;
    assert.equal(held.status, 'pending');
    assert.equal(pending.headers.get('location'), `/api/v1/client/request-status/${held.request_id}`);

    await h.startWorker(url, dir, { stepDelayMs: 20 });
    const started = Date.now();
    const done = await fetch(`${url}/api/v1/client/txt2img`, { method: 'POST', headers: { ...headers, Prefer: 'wait' }, body: imageBody });
    assert.equal(done.status, 200);
    assert.equal(done.headers.get('preference-applied'), 'wait=60');
    assert.equal(done.headers.get('location'), null);
    const data = (await done.json()).data;
    assert.equal(data.status, 'done', JSON.stringify(data));
    assert.ok(Date.now() - started < 30000);
    const file = await fetch(data.result_url);
    assert.equal(file.status, 200);
    assert.deepEqual([...new Uint8Array(await file.arrayBuffer()).slice(1, 4)], [0x50, 0x4e, 0x47]);  // "PNG"

    const refused = await fetch(`${url}/api/v1/client/txt2img`, { method: 'POST', headers: { ...headers, Prefer: 'wait=600' }, body: imageBody });
    assert.equal(refused.status, 422);
    assert.match((await refused.json()).errors.Prefer[0], /from 1 to 60/);
  } finally {
    await h.cleanup();
  }
});
