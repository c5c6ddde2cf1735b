// Two genq nodes on one Redis (--bus redis://…) serve one Pusher app: presence
// members, the HTTP API's channel queries, triggered events and client events span
// both, and a node killed with SIGKILL leaves no ghost members behind.
// The channels are authorised by the app's backend (the `pusher` server library signs
// with the app secret, as a Laravel backend does), so each node keeps its own data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher-js';
import PusherServer from 'pusher';
import { Harness, APP, pusherFlags, waitFor } from './support/harness.mjs';
import { RedisServer } from './support/redis_server.mjs';

const NODE_TIMEOUT_MS = 3000;

function backend(port) {
  return new PusherServer({ appId: APP.appId, key: APP.key, secret: APP.secret, host: '127.0.0.1',
    port: String(port), useTLS: false });
}

// A pusher-js client of `port` whose channels `signer` authorises as `userId`.
function connect(h, port, signer, userId) {
  const pusher = new Pusher(APP.key, {
    wsHost: '127.0.0.1', wsPort: port, wssPort: port, forceTLS: false, enabledTransports: ['ws'],
    cluster: 'mt1', disableStats: true,
    authorizer: (channel) => ({
      authorize: (socketId, callback) => {
        const presence = channel.name.startsWith('presence-')
          ? { user_id: userId, user_info: { name: userId } } : undefined;
        callback(null, signer.authorizeChannel(socketId, channel.name, presence));
      },
    }),
  });
  h.onCleanup(() => pusher.disconnect());
  return pusher;
}

// Joins `channel` and records what it hears.
function join(pusher, channel) {
  const sub = pusher.subscribe(channel);
  const log = [];
  let members = null;
  sub.bind('pusher:subscription_succeeded', (m) => { members = m ?? {}; });
  sub.bind('pusher:subscription_error', (e) => log.push(['error', e]));
  sub.bind('pusher:member_added', (m) => log.push(['added', m.id, m.info]));
  sub.bind('pusher:member_removed', (m) => log.push(['removed', m.id]));
  sub.bind('client-typing', (data, meta) => log.push(['typing', data, meta?.user_id]));
  sub.bind('news', (data) => log.push(['news', data]));
  return { sub, log, members: () => members };
}

async function twoNodes(h, extra = []) {
  const redis = await RedisServer.start();
  h.onCleanup(() => redis.close());
  const args = [...pusherFlags(), '--bus', redis.url, '--pusher-client-events',
    '--pusher-node-timeout-ms', String(NODE_TIMEOUT_MS), ...extra];
  const nodes = [];
  for (let i = 0; i < 2; i++) {
    const dir = await h.tempDir();
    const node = await h.startServer(dir, { args });
    await waitFor(async () => (await fetch(`${node.url}/readyz`)).status === 200, { message: `node ${i + 1} ready` });
    node.api = backend(node.port);
    nodes.push(node);
  }
  // Each node has heard the other (its heartbeat) before the test begins.
  for (const node of nodes) {
    await waitFor(async () => (await (await fetch(`${node.url}/metrics`)).text()).includes('genq_ws_cluster_nodes 2'),
      { message: 'both nodes see each other' });
  }
  return nodes;
}

const getJson = async (api, path, params) => (await api.get({ path, params })).json();

test('presence members, channel queries, triggers and client events span two nodes', async () => {
  const h = new Harness();
  try {
    const [one, two] = await twoNodes(h);

    // alice on node 1, bob on node 2.
    const alice = join(connect(h, one.port, one.api, 'alice'), 'presence-room');
    await waitFor(() => alice.members(), { message: "alice's subscription" });
    assert.equal(alice.members().count, 1);
    const bobPusher = connect(h, two.port, two.api, 'bob');
    const bob = join(bobPusher, 'presence-room');
    await waitFor(() => bob.members(), { message: "bob's subscription" });
    assert.equal(bob.members().count, 2, 'bob sees alice, connected to the other node');
    assert.deepEqual(Object.keys(bob.members().members).sort(), ['alice', 'bob']);
    assert.deepEqual(bob.members().members.alice, { name: 'alice' });
    await waitFor(() => alice.log.some((e) => e[0] === 'added'), { message: 'member_added at alice (node 1)' });
    assert.deepEqual(alice.log.filter((e) => e[0] === 'added'), [['added', 'bob', { name: 'bob' }]]);

    // bob connects a second time, on node 1: one member, and nobody is told.
    const bobAgain = join(connect(h, one.port, one.api, 'bob'), 'presence-room');
    await waitFor(() => bobAgain.members(), { message: "bob's second connection" });
    assert.equal(bobAgain.members().count, 2, 'bob counts once');

    // The HTTP API answers the same from both nodes.
    await waitFor(async () => (await getJson(one.api, '/channels/presence-room', { info: 'user_count,subscription_count' }))
      .subscription_count === 3, { message: 'three subscriptions seen from node 1' });
    for (const node of [one, two]) {
      await waitFor(async () => {
        const c = await getJson(node.api, '/channels/presence-room', { info: 'user_count,subscription_count' });
        return c.subscription_count === 3 && c.user_count === 2;
      }, { message: `/channels/presence-room on ${node.url}` });
      assert.deepEqual(await getJson(node.api, '/channels/presence-room/users'), { users: [{ id: 'alice' }, { id: 'bob' }] });
      assert.deepEqual(await getJson(node.api, '/channels', { filter_by_prefix: 'presence-', info: 'user_count' }),
        { channels: { 'presence-room': { user_count: 2 } } });
    }

    // A client event from bob on node 2 reaches alice and bob's other connection on node 1,
    // never the sending connection.
    bob.sub.trigger('client-typing', { typing: true });
    await waitFor(() => alice.log.some((e) => e[0] === 'typing'), { message: 'the client event at alice (node 1)' });
    assert.deepEqual(alice.log.find((e) => e[0] === 'typing'), ['typing', { typing: true }, 'bob']);
    await waitFor(() => bobAgain.log.some((e) => e[0] === 'typing'), { message: "the client event at bob's other connection" });
    assert.ok(!bob.log.some((e) => e[0] === 'typing'), 'not echoed to the sender');

    // An event triggered through node 2's HTTP API reaches subscribers on node 1 too;
    // socket_id excludes that one connection wherever it is.
    assert.equal((await two.api.trigger('presence-room', 'news', { n: 1 })).status, 200);
    await waitFor(() => alice.log.some((e) => e[0] === 'news') && bobAgain.log.some((e) => e[0] === 'news')
      && bob.log.some((e) => e[0] === 'news'), { message: 'the triggered event on both nodes' });
    await two.api.trigger('presence-room', 'news', { n: 2 }, { socket_id: alice.sub.pusher.connection.socket_id });
    await two.api.trigger('presence-room', 'news', { n: 3 });
    await waitFor(() => bob.log.some((e) => e[0] === 'news' && e[1].n === 3) && alice.log.some((e) => e[0] === 'news' && e[1].n === 3),
      { message: 'the third event everywhere' });
    assert.deepEqual(alice.log.filter((e) => e[0] === 'news').map((e) => e[1].n), [1, 3], 'alice was excluded from 2');

    // bob leaves node 2: still present through node 1, nobody is told.
    bobPusher.disconnect();
    await waitFor(async () => (await getJson(one.api, '/channels/presence-room', { info: 'subscription_count' }))
      .subscription_count === 2, { message: "bob's node 2 connection gone, seen from node 1" });
    assert.ok(!alice.log.some((e) => e[0] === 'removed'), 'bob is still present on node 1');
    assert.deepEqual(await getJson(two.api, '/channels/presence-room/users'), { users: [{ id: 'alice' }, { id: 'bob' }] });
  } finally {
    await h.cleanup();
  }
});

test("a node killed with SIGKILL: its members are removed everywhere within the node timeout", async () => {
  const h = new Harness();
  try {
    const [one, two] = await twoNodes(h);
    const alice = join(connect(h, one.port, one.api, 'alice'), 'presence-room');
    await waitFor(() => alice.members(), { message: "alice's subscription" });
    const carol = join(connect(h, two.port, two.api, 'carol'), 'presence-room');
    await waitFor(() => carol.members(), { message: "carol's subscription" });
    await waitFor(() => alice.log.some((e) => e[0] === 'added' && e[1] === 'carol'), { message: 'carol added at alice' });

    const killedAt = Date.now();
    two.proc.kill('SIGKILL');
    await waitFor(() => alice.log.some((e) => e[0] === 'removed' && e[1] === 'carol'),
      { timeoutMs: NODE_TIMEOUT_MS + 5000, message: 'member_removed for carol after node 2 died' });
    const took = Date.now() - killedAt;
    assert.ok(took >= NODE_TIMEOUT_MS - 1000, `not before the timeout (${took} ms)`);
    assert.deepEqual(await getJson(one.api, '/channels/presence-room/users'), { users: [{ id: 'alice' }] });
    assert.deepEqual(await getJson(one.api, '/channels/presence-room', { info: 'subscription_count' }),
      { occupied: true, subscription_count: 1 });
    assert.equal(alice.sub.members.count, 1);
  } finally {
    await h.cleanup();
  }
});

test('a node that joins late is told the members already present', async () => {
  const h = new Harness();
  const redis = await RedisServer.start();
  h.onCleanup(() => redis.close());
  try {
    const args = [...pusherFlags(), '--bus', redis.url, '--pusher-node-timeout-ms', String(NODE_TIMEOUT_MS)];
    const first = await h.startServer(await h.tempDir(), { args });
    const firstApi = backend(first.port);
    const dave = join(connect(h, first.port, firstApi, 'dave'), 'presence-room');
    await waitFor(() => dave.members(), { message: "dave's subscription" });

    const late = await h.startServer(await h.tempDir(), { args });
    const lateApi = backend(late.port);
    await waitFor(async () => (await getJson(lateApi, '/channels/presence-room/users')).users?.length === 1,
      { message: 'the late node knows dave' });
    const erin = join(connect(h, late.port, lateApi, 'erin'), 'presence-room');
    await waitFor(() => erin.members(), { message: "erin's subscription" });
    assert.deepEqual(Object.keys(erin.members().members).sort(), ['dave', 'erin']);

    // A graceful stop says goodbye: dave's node is gone at once, not after the timeout.
    await h.stop(first.proc);
    await waitFor(() => erin.log.some((e) => e[0] === 'removed' && e[1] === 'dave'),
      { timeoutMs: NODE_TIMEOUT_MS - 500, message: 'dave removed when his node stopped' });
  } finally {
    await h.cleanup();
  }
});

test('Redis down: each node falls back to its own members, and the cluster view returns with Redis', async () => {
  const h = new Harness();
  const redis = await RedisServer.start();
  h.onCleanup(() => redis.close());
  try {
    const args = [...pusherFlags(), '--bus', redis.url, '--pusher-node-timeout-ms', String(NODE_TIMEOUT_MS)];
    const one = await h.startServer(await h.tempDir(), { args });
    const two = await h.startServer(await h.tempDir(), { args });
    const [oneApi, twoApi] = [backend(one.port), backend(two.port)];
    const alice = join(connect(h, one.port, oneApi, 'alice'), 'presence-room');
    await waitFor(() => alice.members(), { message: "alice's subscription" });
    const bob = join(connect(h, two.port, twoApi, 'bob'), 'presence-room');
    await waitFor(() => bob.members(), { message: "bob's subscription" });
    await waitFor(() => alice.log.some((e) => e[0] === 'added' && e[1] === 'bob'), { message: 'bob added at alice' });

    await redis.stop();
    await waitFor(() => alice.log.some((e) => e[0] === 'removed' && e[1] === 'bob'),
      { timeoutMs: NODE_TIMEOUT_MS + 5000, message: 'bob removed at alice once node 2 is unheard' });
    await waitFor(() => bob.log.some((e) => e[0] === 'removed' && e[1] === 'alice'),
      { timeoutMs: NODE_TIMEOUT_MS + 5000, message: 'alice removed at bob once node 1 is unheard' });
    assert.deepEqual(await getJson(oneApi, '/channels/presence-room/users'), { users: [{ id: 'alice' }] });

    await redis.start();
    await waitFor(() => alice.log.filter((e) => e[0] === 'added' && e[1] === 'bob').length === 2,
      { timeoutMs: 20000, message: 'bob added again at alice after Redis came back' });
    await waitFor(() => bob.log.some((e) => e[0] === 'added' && e[1] === 'alice'),
      { timeoutMs: 20000, message: 'alice added at bob after Redis came back' });
    for (const api of [oneApi, twoApi]) {
      assert.deepEqual(await getJson(api, '/channels/presence-room/users'), { users: [{ id: 'alice' }, { id: 'bob' }] });
    }
  } finally {
    await h.cleanup();
  }
});
