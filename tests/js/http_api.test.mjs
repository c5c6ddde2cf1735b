// The Pusher HTTP API through the official `pusher` server library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher-js';
import PusherServer from 'pusher';
import { Harness, APP, pusherFlags, waitFor, seedOptions } from './support/harness.mjs';

test('the pusher server library triggers events that pusher-js receives', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: [...pusherFlags(), '--pusher-presence-channels', 'presence-*'] });
    const client = await h.createClient(dir);
    const server = new PusherServer({ appId: APP.appId, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: String(port), useTLS: false });

    const listener = new Pusher(APP.key, seedOptions(port, url, client.api_key));
    const other = new Pusher(APP.key, seedOptions(port, url, client.api_key));
    h.onCleanup(() => listener.disconnect());
    h.onCleanup(() => other.disconnect());
    const got = [];
    const ready = [];
    for (const [name, p] of [['listener', listener], ['other', other]]) {
      const orders = p.subscribe('orders');
      orders.bind('order.created', (data) => got.push([name, data]));
      orders.bind('pusher:subscription_succeeded', () => ready.push(name));
      const own = p.subscribe(`private-client.${client.client_id}`);
      own.bind('note', (data) => got.push([name, 'note', data]));
      own.bind('pusher:subscription_succeeded', () => ready.push(name));
    }
    await waitFor(() => ready.length === 4, { message: 'four subscriptions' });

    const res = await server.trigger('orders', 'order.created', { id: 1 });
    assert.equal(res.status, 200);
    await waitFor(() => got.filter((g) => g[1]?.id === 1).length === 2, { message: 'the event at both clients' });

    // socket_id excludes the connection that caused the event (Pusher's "exclude recipients").
    await server.trigger('orders', 'order.created', { id: 2 }, { socket_id: listener.connection.socket_id });
    await server.triggerBatch([
      { channel: `private-client.${client.client_id}`, name: 'note', data: { text: 'batched' } },
      { channel: 'orders', name: 'order.created', data: { id: 3 } },
    ]);
    await waitFor(() => got.filter((g) => g[1]?.id === 3).length === 2, { message: 'the batched event' });
    assert.deepEqual(got.filter((g) => g[1]?.id === 2).map((g) => g[0]), ['other']);
    assert.equal(got.filter((g) => g[1] === 'note').length, 2);

    const channel = await (await server.get({ path: '/channels/orders', params: { info: 'subscription_count' } })).json();
    assert.deepEqual(channel, { occupied: true, subscription_count: 2 });
    const channels = await (await server.get({ path: '/channels' })).json();
    assert.deepEqual(Object.keys(channels.channels).sort(), ['orders', `private-client.${client.client_id}`]);

    // Presence users.
    const member = new Pusher(APP.key, seedOptions(port, url, client.api_key));
    h.onCleanup(() => member.disconnect());
    let joined = false;
    member.subscribe('presence-room-1').bind('pusher:subscription_succeeded', () => { joined = true; });
    await waitFor(() => joined, { message: 'presence subscription' });
    const users = await (await server.get({ path: '/channels/presence-room-1/users' })).json();
    assert.deepEqual(users, { users: [{ id: client.client_id }] });
    const presence = await (await server.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } })).json();
    assert.deepEqual(presence, { channels: { 'presence-room-1': { user_count: 1 } } });
  } finally {
    await h.cleanup();
  }
});

test('unsigned, wrongly signed and oversized API requests are refused', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: pusherFlags() });
    const status = async (promise) => promise.then((r) => r.status, (e) => e.status);
    const wrongSecret = new PusherServer({ appId: APP.appId, key: APP.key, secret: 'not-the-secret', host: '127.0.0.1', port: String(port), useTLS: false });
    assert.equal(await status(wrongSecret.trigger('orders', 'e', {})), 401);
    const wrongApp = new PusherServer({ appId: '1', key: APP.key, secret: APP.secret, host: '127.0.0.1', port: String(port), useTLS: false });
    assert.equal(await status(wrongApp.trigger('orders', 'e', {})), 404);
    const server = new PusherServer({ appId: APP.appId, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: String(port), useTLS: false });
    assert.equal(await status(server.trigger('orders', 'e', { blob: 'x'.repeat(11 * 1024) })), 413);
    assert.equal(await status(server.get({ path: '/channels/orders/users' })), 400);
    const unsigned = await fetch(`${url}/apps/${APP.appId}/events`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'e', channel: 'orders', data: '{}' }),
    });
    assert.equal(unsigned.status, 401);
  } finally {
    await h.cleanup();
  }
});
