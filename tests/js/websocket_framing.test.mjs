// genq frames WebSockets itself (docs/architecture.md): fragmented messages and
// WebSocket pings from the `ws` client. The protocol rules a browser never breaks are
// checked over raw sockets, case by case, in websocket_conformance.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Harness, APP, pusherFlags, waitFor } from './support/harness.mjs';

const PATH = `/app/${APP.key}?protocol=7&client=js&version=8.6.0`;

test('a fragmented subscribe is joined and an oversized message is refused with 1009', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { port } = await h.startServer(dir, { args: pusherFlags() });
    const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}`);
    h.onCleanup(() => ws.terminate());
    const events = [];
    let closed = null;
    let pongs = 0;
    ws.on('message', (text) => events.push(JSON.parse(text).event));
    ws.on('pong', () => { pongs += 1; });
    ws.on('close', (code) => { closed = code; });
    await waitFor(() => events.includes('pusher:connection_established'), { message: 'established' });

    const subscribe = JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'lobby' } });
    ws.send(subscribe.slice(0, 10), { fin: false });
    ws.ping('x');
    ws.send(subscribe.slice(10, 20), { fin: false });
    ws.send(subscribe.slice(20), { fin: true });
    await waitFor(() => events.includes('pusher_internal:subscription_succeeded') && pongs === 1,
      { message: 'subscription from fragments, and a pong' });

    ws.send('x'.repeat(17 * 1024));
    await waitFor(() => closed !== null, { message: 'the oversized message closes the connection' });
    assert.equal(closed, 1009);
  } finally {
    await h.cleanup();
  }
});
