// A server restart: pusher-js reconnects on its own, re-authorises its channel and
// receives the next job's events. The Pusher credentials were generated into the data
// directory on first start and must be the same after the restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher-js';
import { Harness, waitFor, submitJob, seedOptions, generatedApp } from './support/harness.mjs';

test('after the server restarts, pusher-js reconnects and receives the next job\'s events', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const first = await h.startServer(dir);
    const app = await generatedApp(dir);
    assert.match(app.key, /^[0-9a-f]{20}$/);
    assert.match(app.appId, /^\d+$/);
    const client = await h.createClient(dir);
    const relay = await h.relayTo(first);
    await h.startWorker(relay.url, dir);  // reconnects through the relay, as pusher-js does

    const pusher = new Pusher(app.key, seedOptions(relay.port, relay.url, client.api_key));
    h.onCleanup(() => pusher.disconnect());
    const closes = [];
    pusher.connection.bind('error', (e) => closes.push(e?.error?.data?.code ?? e?.type));
    const channel = pusher.subscribe(`private-client.${client.client_id}`);
    let subscriptions = 0;
    const events = [];
    channel.bind('pusher:subscription_succeeded', () => { subscriptions += 1; });
    channel.bind('request.status.updated', (data) => events.push(data));
    await waitFor(() => subscriptions === 1, { message: 'the first subscription' });
    const firstSocket = pusher.connection.socket_id;

    const before = await submitJob(first.url, client.api_key);
    await waitFor(() => events.some((e) => e.request_id === before && e.status === 'done'), { message: 'job before restart' });

    await h.stop(first.proc);
    relay.away();
    await waitFor(() => pusher.connection.state !== 'connected', { message: 'pusher-js to notice the restart' });
    assert.ok(closes.includes(4200), `the server said "reconnect" (4200) before going away, got ${closes}`);

    const second = await h.startServer(dir);
    relay.pointTo(second.port);
    assert.deepEqual(await generatedApp(dir), app, 'the generated credentials were kept');
    await waitFor(() => pusher.connection.state === 'connected' && subscriptions === 2,
      { timeoutMs: 30000, message: 'reconnection and re-subscription' });
    assert.notEqual(pusher.connection.socket_id, firstSocket, 'a new connection');

    const after = await submitJob(second.url, client.api_key);
    await waitFor(() => events.some((e) => e.request_id === after && e.status === 'done'),
      { timeoutMs: 30000, message: 'the next job\'s done event' });
    assert.ok(events.some((e) => e.request_id === after && e.status === 'in_progress'), 'progress after restart');
  } finally {
    await h.cleanup();
  }
});
