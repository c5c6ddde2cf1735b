// pusher-js against genq, configured as the seed (docs 002) configures it: only the
// host, port and TLS differ. Each test starts its own genq and kills it afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import Pusher from 'pusher-js';
import WebSocket from 'ws';
import { Harness, APP, pusherFlags, waitFor, submitJob, seedOptions, seedAuthorizer } from './support/harness.mjs';

function connect(h, port, url, apiKey, extra = {}) {
  const pusher = new Pusher(APP.key, seedOptions(port, url, apiKey, extra));
  h.onCleanup(() => pusher.disconnect());
  return pusher;
}

function subscribed(channel) {
  return new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', reject);
  });
}

test('pusher-js sees rising progress with previews and a final done whose result_url downloads', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: pusherFlags() });
    const client = await h.createClient(dir);
    await h.startWorker(url, dir);

    const pusher = connect(h, port, url, client.api_key);
    const channel = pusher.subscribe(`private-client.${client.client_id}`);
    const events = [];
    channel.bind('request.status.updated', (data) => events.push(data));
    await subscribed(channel);

    const requestId = await submitJob(url, client.api_key, { steps: 6 });
    const mine = () => events.filter((e) => e.request_id === requestId);
    await waitFor(() => mine().some((e) => e.status === 'done'), { message: 'the done event' });

    const seen = mine();
    for (const e of seen) {
      assert.deepEqual(Object.keys(e).sort(), ['preview', 'progress', 'request_id', 'result_url', 'status']);
      assert.match(e.progress, /^\d+\.\d\d$/, 'progress is a string like "45.50"');
    }
    assert.ok(seen.some((e) => e.status === 'processing'), 'a processing event');
    const progress = seen.filter((e) => e.status === 'in_progress');
    assert.ok(progress.length >= 2, `at least two progress events, got ${progress.length}`);
    const values = progress.map((e) => Number(e.progress));
    for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `progress rises: ${values}`);
    // The worker reports 0% before its first step, without a picture yet.
    const stepped = progress.filter((e) => Number(e.progress) > 0);
    assert.ok(stepped.length >= 2, 'progress past 0%');
    for (const e of stepped) assert.match(e.preview, /^data:image\/jpeg;base64,\/9j\//, 'a JPEG preview');
    const done = seen.at(-1);
    assert.equal(done.status, 'done', 'done is the last event');
    assert.equal(done.progress, '100.00');
    assert.equal(done.preview, null);

    const download = await fetch(done.result_url);
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-type'), /^image\//);
    const bytes = Buffer.from(await download.arrayBuffer());
    assert.ok(bytes.length > 100, 'the result has content');
  } finally {
    await h.cleanup();
  }
});

// The Pusher protocol has no replay: genq sends a new subscriber of a client channel the
// state of that client's leased and recently ended jobs (docs/api.md, "Reconnects"),
// so a client that was away when its job ended still gets the `done`.
test('a job that ended while pusher-js was disconnected arrives as done on the next subscription', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: pusherFlags() });
    const client = await h.createClient(dir);
    const channelName = `private-client.${client.client_id}`;

    const first = connect(h, port, url, client.api_key);
    await subscribed(first.subscribe(channelName));
    const requestId = await submitJob(url, client.api_key, { steps: 2 });
    first.disconnect();

    await h.startWorker(url, dir);
    await waitFor(async () => {
      const res = await fetch(`${url}/api/v1/client/request-status/${requestId}`,
        { headers: { Authorization: `Bearer ${client.api_key}` } });
      return (await res.json()).data.status === 'done';
    }, { message: 'the job to finish while no one listens' });

    const second = connect(h, port, url, client.api_key);
    const channel = second.subscribe(channelName);
    const events = [];
    channel.bind('request.status.updated', (data) => events.push(data));
    await subscribed(channel);
    const done = await waitFor(() => events.find((e) => e.request_id === requestId && e.status === 'done'),
      { message: 'the replayed done event' });
    assert.equal(done.progress, '100.00');
    const download = await fetch(done.result_url);
    assert.equal(download.status, 200);
    // Sent once: no second copy arrives with the next job's events.
    const next = await submitJob(url, client.api_key, { steps: 2 });
    await waitFor(() => events.some((e) => e.request_id === next && e.status === 'done'), { message: 'the next job' });
    assert.equal(events.filter((e) => e.request_id === requestId).length, 1, JSON.stringify(events));
  } finally {
    await h.cleanup();
  }
});

test("subscribing to another client's channel is refused with 403", async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, { args: pusherFlags() });
    const alice = await h.createClient(dir, 'alice');
    const bob = await h.createClient(dir, 'bob');

    // The seed's fetch authorizer: the 403 body has no "auth", so the server refuses
    // the subscription itself.
    const answers = [];
    const pusher = connect(h, port, url, alice.api_key, { authorizer: seedAuthorizer(url, alice.api_key, answers) });
    const error = await subscribed(pusher.subscribe(`private-client.${bob.client_id}`)).then(
      () => assert.fail('subscribed to another client\'s channel'), (e) => e);
    assert.deepEqual(answers, [{ channel: `private-client.${bob.client_id}`, status: 403 }]);
    assert.equal(error.type, 'AuthError');
    await subscribed(pusher.subscribe(`private-client.${alice.client_id}`));

    // pusher-js's own form-encoded authorizer reports the status.
    const plain = new Pusher(APP.key, {
      wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1',
      disableStats: true,
      channelAuthorization: { endpoint: `${url}/broadcasting/auth`, headers: { Authorization: `Bearer ${alice.api_key}` } },
    });
    h.onCleanup(() => plain.disconnect());
    const plainError = await subscribed(plain.subscribe(`private-client.${bob.client_id}`)).then(
      () => assert.fail('subscribed'), (e) => e);
    assert.equal(plainError.status, 403);
    await subscribed(plain.subscribe(`private-client.${alice.client_id}`));
  } finally {
    await h.cleanup();
  }
});

test('/broadcasting/auth signs only the caller\'s own channel', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url } = await h.startServer(dir, { args: pusherFlags() });
    const alice = await h.createClient(dir, 'alice');
    const auth = (key, body, type = 'application/json') => fetch(`${url}/broadcasting/auth`, {
      method: 'POST',
      headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), 'Content-Type': type },
      body: type === 'application/json' ? JSON.stringify(body) : new URLSearchParams(body).toString(),
    });
    const own = `private-client.${alice.client_id}`;
    const res = await auth(alice.api_key, { socket_id: '123.456', channel_name: own });
    assert.equal(res.status, 200);
    const expected = createHmac('sha256', APP.secret).update(`123.456:${own}`).digest('hex');
    assert.deepEqual(await res.json(), { auth: `${APP.key}:${expected}` });

    const form = await auth(alice.api_key, { socket_id: '123.456', channel_name: own }, 'application/x-www-form-urlencoded');
    assert.deepEqual(await form.json(), { auth: `${APP.key}:${expected}` });

    assert.equal((await auth(null, { socket_id: '123.456', channel_name: own })).status, 401);
    assert.equal((await auth('gq_wrong', { socket_id: '123.456', channel_name: own })).status, 401);
    assert.equal((await auth(alice.api_key, { socket_id: '123.456', channel_name: 'private-client.other' })).status, 403);
    assert.equal((await auth(alice.api_key, { socket_id: '123.456', channel_name: 'presence-lobby' })).status, 403);
    assert.equal((await auth(alice.api_key, { socket_id: '123.456', channel_name: 'orders' })).status, 403);
    assert.equal((await auth(alice.api_key, { socket_id: 'nope', channel_name: own })).status, 422);
  } finally {
    await h.cleanup();
  }
});

test('an idle pusher-js connection survives past activity_timeout through ping/pong', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, {
      args: [...pusherFlags(), '--pusher-activity-timeout-s', '1', '--pusher-pong-timeout-s', '2'],
    });
    const client = await h.createClient(dir);
    const pusher = connect(h, port, url, client.api_key);
    const states = [];
    const pongs = [];
    pusher.connection.bind('state_change', (s) => states.push(s.current));
    pusher.connection.bind('message', (m) => { if (m.event === 'pusher:pong') pongs.push(Date.now()); });
    await waitFor(() => pusher.connection.state === 'connected', { message: 'connected' });
    const socketId = pusher.connection.socket_id;
    const connectedAt = Date.now();
    // pusher-js pings after activity_timeout (1 s) of silence; genq answers each one.
    await waitFor(() => pongs.length >= 3, { timeoutMs: 15000, message: 'three pongs' });
    assert.ok(Date.now() - connectedAt >= 2500, 'the connection outlived several activity timeouts');
    assert.equal(pusher.connection.state, 'connected');
    assert.equal(pusher.connection.socket_id, socketId, 'the same connection, never re-established');
    assert.deepEqual(states.filter((s) => s !== 'connecting' && s !== 'connected'), [], `states: ${states}`);
  } finally {
    await h.cleanup();
  }
});

// A raw WebSocket client speaking the protocol by hand, recording every message.
function rawClient(h, port, path) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  h.onCleanup(() => ws.terminate());
  const messages = [];
  let closed = null;
  ws.on('message', (text) => messages.push(JSON.parse(text)));
  ws.on('close', (code, reason) => { closed = { code, reason: reason.toString() }; });
  return { ws, messages, closed: () => closed };
}

test('the server pings a silent client, keeps one that answers and drops one that does not (4201)', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { port } = await h.startServer(dir, {
      args: [...pusherFlags(), '--pusher-activity-timeout-s', '1', '--pusher-pong-timeout-s', '1'],
    });
    const path = `/app/${APP.key}?protocol=7&client=js&version=8.6.0`;
    const polite = rawClient(h, port, path);
    const silent = rawClient(h, port, path);
    polite.ws.on('message', (text) => {
      if (JSON.parse(text).event === 'pusher:ping') polite.ws.send(JSON.stringify({ event: 'pusher:pong', data: {} }));
    });
    await waitFor(() => silent.closed(), { timeoutMs: 10000, message: 'the silent client to be closed' });
    assert.equal(silent.closed().code, 4201);
    assert.equal(silent.messages[0].event, 'pusher:connection_established');
    assert.ok(silent.messages.some((m) => m.event === 'pusher:ping'), 'the server pinged first');
    await waitFor(() => polite.messages.filter((m) => m.event === 'pusher:ping').length >= 3,
      { timeoutMs: 10000, message: 'three server pings' });
    assert.equal(polite.closed(), null, 'the answering client stays connected');
  } finally {
    await h.cleanup();
  }
});

test('a wrong app key or protocol is refused with the Pusher close codes', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { port } = await h.startServer(dir, { args: pusherFlags() });
    const cases = [
      [`/app/wrong-key?protocol=7`, 4001],
      [`/app/${APP.key}`, 4008],
      [`/app/${APP.key}?protocol=3`, 4007],
    ];
    for (const [path, code] of cases) {
      const c = rawClient(h, port, path);
      await waitFor(() => c.closed(), { message: `close for ${path}` });
      assert.equal(c.closed().code, code, path);
      assert.equal(c.messages[0].event, 'pusher:error');
      assert.equal(c.messages[0].data.code, code);
    }
    // Not a WebSocket path: the HTTP API answers as usual.
    assert.equal((await fetch(`http://127.0.0.1:${port}/app/${APP.key}`)).status, 404);
  } finally {
    await h.cleanup();
  }
});
