// A client that stops reading must not make the server buffer without bound: past
// --pusher-max-buffer-bytes it is disconnected with 4100 (reconnect with back-off),
// while a client that keeps reading the same channel gets every event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import PusherServer from 'pusher';
import { Harness, APP, pusherFlags, waitFor } from './support/harness.mjs';

function subscriber(h, port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7&client=js&version=8.6.0`);
  h.onCleanup(() => ws.terminate());
  const state = { ws, events: 0, subscribed: false, close: null };
  ws.on('message', (text) => {
    const m = JSON.parse(text);
    if (m.event === 'pusher:connection_established') {
      ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'firehose' } }));
    } else if (m.event === 'pusher_internal:subscription_succeeded') {
      state.subscribed = true;
    } else if (m.event === 'big') {
      state.events += 1;
    }
  });
  ws.on('close', (code) => { state.close = code; });
  return state;
}

async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

test('a client that stops reading is disconnected with 4100 while a reading one gets every event', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: [...pusherFlags(), '--pusher-max-buffer-bytes', '262144'] });
    const server = new PusherServer({ appId: APP.appId, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: String(port), useTLS: false });
    const reader = subscriber(h, port);
    const stalled = subscriber(h, port);
    await waitFor(() => reader.subscribed && stalled.subscribed, { message: 'both subscriptions' });
    stalled.ws._socket.pause();  // stop reading: the kernel buffers fill, then the server's queue

    // 10 KB events in batches of 10; bounded: at most 4000 events (40 MB).
    const data = 'x'.repeat(10 * 1024 - 64);
    let sent = 0;
    while (sent < 4000 && (await metric(url, 'genq_ws_closes_total{reason="over_capacity"}')) < 1) {
      await server.triggerBatch(Array.from({ length: 10 }, () => ({ channel: 'firehose', name: 'big', data })));
      sent += 10;
    }
    assert.equal(await metric(url, 'genq_ws_closes_total{reason="over_capacity"}'), 1, `closed after ${sent} events`);
    await waitFor(() => reader.events === sent, { message: `all ${sent} events at the reading client` });
    assert.equal(reader.close, null, 'the reading client stays connected');

    stalled.ws._socket.resume();
    await waitFor(() => stalled.close !== null, { timeoutMs: 15000, message: 'the stalled client to see the close' });
    // 4100 when the close frame got through; 1006 when the grace period cut the socket.
    assert.ok([4100, 1006].includes(stalled.close), `close code ${stalled.close}`);
    assert.ok(stalled.events < sent, 'the stalled client did not get everything');
    await waitFor(async () => (await metric(url, 'genq_ws_connections')) === 1, { message: 'one connection left' });
  } finally {
    await h.cleanup();
  }
});
