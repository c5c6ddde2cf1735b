// Presence channels the operator configures (--pusher-presence-channels), and client
// events between their members (--pusher-client-events).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher-js';
import { Harness, APP, pusherFlags, waitFor, seedOptions } from './support/harness.mjs';

function member(h, port, url, apiKey) {
  const pusher = new Pusher(APP.key, seedOptions(port, url, apiKey));
  h.onCleanup(() => pusher.disconnect());
  const channel = pusher.subscribe('presence-lobby');
  const log = [];
  let members = null;
  channel.bind('pusher:subscription_succeeded', (m) => { members = m; });
  channel.bind('pusher:subscription_error', (e) => log.push(['error', e]));
  channel.bind('pusher:member_added', (m) => log.push(['added', m.id, m.info]));
  channel.bind('pusher:member_removed', (m) => log.push(['removed', m.id]));
  channel.bind('client-typing', (data, meta) => log.push(['typing', data, meta?.user_id]));
  return { pusher, channel, log, members: () => members };
}

test('presence join and leave are seen by another member, who can also receive client events', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, {
      args: [...pusherFlags(), '--pusher-presence-channels', 'presence-lobby', '--pusher-client-events'],
    });
    const alice = await h.createClient(dir, 'alice');
    const bob = await h.createClient(dir, 'bob');

    const a = member(h, port, url, alice.api_key);
    await waitFor(() => a.members(), { message: "alice's subscription" });
    assert.equal(a.members().count, 1);
    assert.equal(a.members().me.id, alice.client_id, 'the member is the API client');
    assert.deepEqual(a.members().me.info, { name: 'alice' });

    const b = member(h, port, url, bob.api_key);
    await waitFor(() => b.members(), { message: "bob's subscription" });
    assert.equal(b.members().count, 2);
    assert.deepEqual(Object.keys(b.members().members).sort(), [alice.client_id, bob.client_id].sort());
    await waitFor(() => a.log.some((e) => e[0] === 'added'), { message: 'member_added at alice' });
    assert.deepEqual(a.log.find((e) => e[0] === 'added'), ['added', bob.client_id, { name: 'bob' }]);

    // A client event reaches the other member with the sender's user_id, not the sender.
    b.channel.trigger('client-typing', { typing: true });
    await waitFor(() => a.log.some((e) => e[0] === 'typing'), { message: 'the client event at alice' });
    assert.deepEqual(a.log.find((e) => e[0] === 'typing'), ['typing', { typing: true }, bob.client_id]);
    assert.ok(!b.log.some((e) => e[0] === 'typing'), 'the sender does not get its own event');

    b.pusher.disconnect();
    await waitFor(() => a.log.some((e) => e[0] === 'removed'), { message: 'member_removed at alice' });
    assert.deepEqual(a.log.find((e) => e[0] === 'removed'), ['removed', bob.client_id]);
    assert.equal(a.channel.members.count, 1);
  } finally {
    await h.cleanup();
  }
});

test('a presence channel the operator did not configure is refused', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: [...pusherFlags(), '--pusher-presence-channels', 'presence-lobby'] });
    const alice = await h.createClient(dir, 'alice');
    const pusher = new Pusher(APP.key, seedOptions(port, url, alice.api_key));
    h.onCleanup(() => pusher.disconnect());
    const errors = [];
    pusher.subscribe('presence-secret').bind('pusher:subscription_error', (e) => errors.push(e));
    await waitFor(() => errors.length > 0, { message: 'the subscription error' });
    const res = await fetch(`${url}/broadcasting/auth`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.api_key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ socket_id: '1.2', channel_name: 'presence-lobby', channel_data: JSON.stringify({ user_id: 'someone-else' }) }),
    });
    assert.equal(res.status, 403, 'a client cannot join as another user');
  } finally {
    await h.cleanup();
  }
});
