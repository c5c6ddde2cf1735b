// genq with --bus redis://…: a job served end to end with pusher-js watching, each
// change published on Redis as a compact message, and /readyz following Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher-js';
import { Harness, APP, pusherFlags, waitFor, submitJob, seedOptions } from './support/harness.mjs';
import { RedisServer, redisPublish, redisSubscriber } from './support/redis_server.mjs';

test('a job is served end to end over the Redis bus, each change announced on the channel', async () => {
  const h = new Harness();
  const redis = await RedisServer.start();
  h.onCleanup(() => redis.close());
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: [...pusherFlags(), '--bus', redis.url] });
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { message: 'ready with Redis' });
    const channel = redisSubscriber(redis.port, 'genq:0:jobs');
    h.onCleanup(() => channel.close());
    await waitFor(() => channel.subscribed, { message: 'the test\'s own Redis subscription' });
    const client = await h.createClient(dir);
    await h.startWorker(url, dir);

    const pusher = new Pusher(APP.key, seedOptions(port, url, client.api_key));
    h.onCleanup(() => pusher.disconnect());
    const updates = [];
    const sub = pusher.subscribe(`private-client.${client.client_id}`);
    let subscribed = false;
    sub.bind('pusher:subscription_succeeded', () => { subscribed = true; });
    sub.bind('request.status.updated', (data) => updates.push(data));
    await waitFor(() => subscribed, { message: 'the private channel subscription' });

    const id = await submitJob(url, client.api_key);
    await waitFor(() => updates.some((u) => u.request_id === id && u.status === 'done'), { message: 'done over pusher-js' });
    const done = updates.filter((u) => u.request_id === id).at(-1);
    assert.equal(done.status, 'done', 'nothing after done');
    assert.equal((await fetch(done.result_url)).status, 200, 'the result downloads');
    assert.ok(updates.some((u) => u.request_id === id && u.preview?.startsWith('data:image/jpeg;base64,')),
      'previews still reach local subscribers');

    // Every change of the job went out on Redis, compact: no preview, no parameters.
    const changes = () => channel.messages.map((m) => JSON.parse(m)).filter((m) => m.i === id);
    await waitFor(() => changes().some((m) => m.s === 'done'), { message: 'the done change on Redis' });
    const statuses = changes().map((m) => m.s);
    assert.equal(statuses[0], 'pending');
    assert.equal(statuses.at(-1), 'done');
    assert.ok(statuses.includes('processing'));
    for (const m of changes()) {
      assert.deepEqual(Object.keys(m).filter((k) => !['o', 'i', 'c', 'm', 's', 'p', 'v', 'q'].includes(k)), []);
      assert.equal(m.c, client.client_id);
      assert.equal(m.m, 'Flux1schnell');
      assert.ok(channel.messages.every((raw) => raw.length < 300), 'compact messages');
    }
    assert.equal(new Set(changes().map((m) => m.o)).size, 1, 'one origin node id');
  } finally {
    await h.cleanup();
  }
});

test('/readyz is not ready while Redis is down and ready again once it is back', async () => {
  const h = new Harness();
  const redis = await RedisServer.start();
  h.onCleanup(() => redis.close());
  try {
    const dir = await h.tempDir();
    const { url } = await h.startServer(dir, { args: ['--bus', redis.url] });
    const readyz = async () => {
      const res = await fetch(`${url}/readyz`);
      return { status: res.status, body: await res.json() };
    };
    await waitFor(async () => (await readyz()).status === 200, { message: 'ready with Redis' });
    assert.match((await readyz()).body.bus, /connected to redis:\/\/127\.0\.0\.1:\d+\/0/);

    await redis.stop();
    const down = await waitFor(async () => { const r = await readyz(); return r.status === 503 && r; },
      { message: '/readyz 503 with Redis down' });
    assert.equal(down.body.status, 'unavailable');
    assert.match(down.body.message, /event bus/);

    // The node keeps serving meanwhile: a submit works.
    const client = await h.createClient(dir);
    const id = await submitJob(url, client.api_key);
    const status = await fetch(`${url}/api/v1/client/request-status/${id}`,
      { headers: { Authorization: `Bearer ${client.api_key}` } });
    assert.equal(status.status, 200);

    await redis.start();
    await waitFor(async () => (await readyz()).status === 200, { timeoutMs: 20000, message: '/readyz 200 after Redis came back' });
  } finally {
    await h.cleanup();
  }
});

test("another node's change reaches pusher-js here, read whole from the store", async () => {
  const h = new Harness();
  const redis = await RedisServer.start();
  h.onCleanup(() => redis.close());
  try {
    const dir = await h.tempDir();
    const args = [...pusherFlags(), '--bus', redis.url];
    const first = await h.startServer(dir, { args });
    const client = await h.createClient(dir);
    const worker = await h.startWorker(first.url, dir);
    const id = await submitJob(first.url, client.api_key);
    const later = await submitJob(first.url, client.api_key);
    const headers = { Authorization: `Bearer ${client.api_key}` };
    const isDone = async (job) => {
      const res = await fetch(`${first.url}/api/v1/client/request-status/${job}`, { headers });
      return (await res.json()).data.status === 'done';
    };
    await waitFor(async () => (await isDone(id)) && (await isDone(later)), { message: 'both jobs done' });
    await h.stop(worker);
    await h.stop(first.proc);

    // A fresh process on the same data has delivered nothing yet: the change below,
    // as another node would publish it, is all it hears of the job.
    const { url, port } = await h.startServer(dir, { args });
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { message: 'ready with Redis' });
    const pusher = new Pusher(APP.key, seedOptions(port, url, client.api_key));
    h.onCleanup(() => pusher.disconnect());
    let updates = [];
    const sub = pusher.subscribe(`private-client.${client.client_id}`);
    let subscribed = false;
    sub.bind('pusher:subscription_succeeded', () => { subscribed = true; });
    sub.bind('request.status.updated', (data) => updates.push(data));
    await waitFor(() => subscribed, { message: 'the private channel subscription' });
    // A new subscriber first gets its recently ended jobs (docs/api.md, "Reconnects"),
    // read from the store; what follows is the remote change alone.
    await waitFor(() => updates.length === 2, { message: 'the two jobs replayed on subscribe' });
    assert.deepEqual(updates.map((u) => [u.request_id, u.status]).sort(), [[id, 'done'], [later, 'done']].sort());
    updates = [];

    const change = { o: 'another-node', i: id, c: client.client_id, m: 'Flux1schnell', s: 'done', v: 99 };
    const receivers = await redisPublish(redis.port, 'genq:0:jobs', JSON.stringify(change));
    assert.equal(receivers, ':1', 'the node is subscribed');
    await waitFor(() => updates.length > 0, { message: 'the remote change over pusher-js' });
    assert.equal(updates[0].request_id, id);
    assert.equal(updates[0].status, 'done');
    assert.equal(updates[0].progress, '100.00');
    assert.equal((await fetch(updates[0].result_url)).status, 200, 'rendered from the job read from the store');

    // An older change and the same one again are not delivered. The node handles
    // messages in order, so once the next job's change has arrived they have been.
    await redisPublish(redis.port, 'genq:0:jobs', JSON.stringify({ ...change, s: 'in_progress', v: 98 }));
    await redisPublish(redis.port, 'genq:0:jobs', JSON.stringify(change));
    await redisPublish(redis.port, 'genq:0:jobs', JSON.stringify({ ...change, i: later }));
    await waitFor(() => updates.some((u) => u.request_id === later), { message: 'the later job\'s remote change' });
    assert.deepEqual(updates.map((u) => [u.request_id, u.status]), [[id, 'done'], [later, 'done']]);
  } finally {
    await h.cleanup();
  }
});
