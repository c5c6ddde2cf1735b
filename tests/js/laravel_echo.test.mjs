// laravel-echo against genq, as the seed's "Using Laravel Echo" and React hook use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Echo from 'laravel-echo';
import Pusher from 'pusher-js';
import { Harness, APP, pusherFlags, waitFor, submitJob, seedOptions } from './support/harness.mjs';

test("Echo.private('client.{id}').listen('.request.status.updated') follows a job to done", async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: pusherFlags() });
    const client = await h.createClient(dir);
    await h.startWorker(url, dir);

    // The seed sets window.Pusher; in Node, Echo takes the constructor as an option.
    const echo = new Echo({
      broadcaster: 'pusher',
      Pusher,
      key: APP.key,
      ...seedOptions(port, url, client.api_key),
    });
    h.onCleanup(() => echo.disconnect());
    const updates = new Map();
    let subscribed = false;
    echo.private(`client.${client.client_id}`)
      .subscribed(() => { subscribed = true; })
      .listen('.request.status.updated', (data) => {
        updates.set(data.request_id, [...(updates.get(data.request_id) ?? []), data]);
      });
    await waitFor(() => subscribed, { message: 'the Echo subscription' });
    assert.equal(echo.connector.pusher.connection.state, 'connected');

    const first = await submitJob(url, client.api_key);
    const second = await submitJob(url, client.api_key);
    const finished = (id) => (updates.get(id) ?? []).some((u) => u.status === 'done');
    await waitFor(() => finished(first) && finished(second), { message: 'both jobs done' });
    for (const id of [first, second]) {
      const seen = updates.get(id);
      assert.ok(seen.some((u) => u.status === 'in_progress' && u.preview?.startsWith('data:image/jpeg;base64,')),
        'a progress update with a preview');
      const done = seen.at(-1);
      assert.equal(done.status, 'done');
      assert.equal(done.progress, '100.00');
      assert.equal((await fetch(done.result_url)).status, 200, 'the result downloads');
    }

    // leave() unsubscribes: later jobs are no longer delivered to this connection.
    echo.leave(`client.${client.client_id}`);
    await waitFor(async () => {
      const res = await fetch(`${url}/metrics`);
      return /genq_ws_subscriptions 0\b/.test(await res.text());
    }, { message: 'the unsubscribe to reach the server' });
  } finally {
    await h.cleanup();
  }
});
