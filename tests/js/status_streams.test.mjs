// Server-Sent Events (docs/api.md, "Status streams"), with the `eventsource` npm client
// as a browser's EventSource would connect, and with raw fetch for the resume rules:
// a job's stream sends every state to the final one and closes, resumes from
// Last-Event-ID without repeating or losing a state, and answers 204 once the client
// has the final state; the client-wide stream carries every job and, resumed, what
// ended while the client was away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { Harness, submitJob, waitFor } from './support/harness.mjs';

// An EventSource sending the API key, as the `eventsource` package documents it.
function openStream(url, apiKey) {
  const events = [];
  const source = new EventSource(url, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, Authorization: `Bearer ${apiKey}` } }),
  });
  source.addEventListener('status', (e) => events.push({ id: e.lastEventId, data: JSON.parse(e.data) }));
  return { source, events };
}

// Reads a stream with fetch until `enough(events)` or it ends; returns the events.
async function readEvents(url, headers, enough = () => false, timeoutMs = 15000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = await fetch(url, { headers, signal: controller.signal });
  const events = [];
  if (response.status !== 200) {
    clearTimeout(timer);
    return { status: response.status, events };
  }
  assert.match(response.headers.get('content-type'), /^text\/event-stream/);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':'))
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.event === 'status') events.push({ id: fields.id, data: JSON.parse(fields.data) });
      }
      if (enough(events)) break;
    }
  } catch (error) {
    if (error.name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: 200, events };
}

async function setUp(h) {
  const dir = await h.tempDir();
  const server = await h.startServer(dir);
  const client = await h.createClient(dir);
  return { dir, server, client, auth: { Authorization: `Bearer ${client.api_key}` } };
}

test('a job stream sends each state in order up to done, then ends', async () => {
  const h = new Harness();
  try {
    const { dir, server, client } = await setUp(h);
    const id = await submitJob(server.url, client.api_key, { steps: 4 });
    const { source, events } = openStream(`${server.url}/api/v1/client/request-status/${id}/stream`, client.api_key);
    h.onCleanup(() => source.close());
    await waitFor(() => events.length >= 1, { message: 'the current state on connect' });
    assert.equal(events[0].data.status, 'pending');
    assert.equal(events[0].data.request_id, id);
    await h.startWorker(server.url, dir, { stepDelayMs: 100 });
    await waitFor(() => events.some((e) => e.data.status === 'done'), { message: 'the done event' });
    source.close();
    const statuses = events.map((e) => e.data.status);
    assert.ok(statuses.includes('processing'), statuses.join());
    assert.equal(statuses.at(-1), 'done');
    const versions = events.map((e) => Number(e.id));
    for (let i = 1; i < versions.length; i++) assert.ok(versions[i] > versions[i - 1], `ids rise: ${versions}`);
    const progress = events.map((e) => e.data.progress);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1], `progress rises: ${progress}`);
    assert.ok(events.every((e) => e.data.preview === null), 'no previews unless asked');
    assert.ok(events.at(-1).data.result_url);

    // With the final state in hand, a reconnect is told there is nothing more: 204.
    const again = await fetch(`${server.url}/api/v1/client/request-status/${id}/stream`,
      { headers: { Authorization: `Bearer ${client.api_key}`, 'Last-Event-ID': events.at(-1).id } });
    assert.equal(again.status, 204);
    // From a state before the end: the newer ones only, then the stream ends by itself.
    const resumed = await readEvents(`${server.url}/api/v1/client/request-status/${id}/stream`,
      { Authorization: `Bearer ${client.api_key}`, 'Last-Event-ID': events[0].id });
    assert.equal(resumed.status, 200);
    assert.deepEqual(resumed.events.map((e) => e.data.status), ['done'], 'the current state, once, and the end');
  } finally {
    await h.cleanup();
  }
});

test('previews on request; another client\'s job and a missing key are refused', async () => {
  const h = new Harness();
  try {
    const { dir, server, client, auth } = await setUp(h);
    const id = await submitJob(server.url, client.api_key, { steps: 6 });
    await h.startWorker(server.url, dir, { stepDelayMs: 150 });
    const { events } = await readEvents(`${server.url}/api/v1/client/request-status/${id}/stream?preview=1`, auth,
      (seen) => seen.some((e) => e.data.status === 'done'));
    assert.ok(events.some((e) => /^data:image\/jpeg;base64,/.test(e.data.preview ?? '')), 'a preview arrived');

    const other = await h.createClient(dir, 'other');
    const refused = await fetch(`${server.url}/api/v1/client/request-status/${id}/stream`,
      { headers: { Authorization: `Bearer ${other.api_key}` } });
    assert.equal(refused.status, 404);
    assert.equal((await fetch(`${server.url}/api/v1/client/events/stream`)).status, 401);
  } finally {
    await h.cleanup();
  }
});

test('the client stream carries every job, and resumed it sends what ended while away', async () => {
  const h = new Harness();
  try {
    const { dir, server, client, auth } = await setUp(h);
    const { source, events } = openStream(`${server.url}/api/v1/client/events/stream`, client.api_key);
    h.onCleanup(() => source.close());
    await new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
    const first = await submitJob(server.url, client.api_key, { steps: 2 });
    await waitFor(() => events.some((e) => e.data.request_id === first), { message: 'the first job\'s submit' });
    const lastId = events.at(-1).id;
    source.close();

    // Away: the job runs and ends, and another is submitted and ends.
    await h.startWorker(server.url, dir, { stepDelayMs: 20 });
    const second = await submitJob(server.url, client.api_key, { steps: 2 });
    await waitFor(async () => {
      const res = await fetch(`${server.url}/api/v1/client/request-status/${second}`, { headers: auth });
      return (await res.json()).data.status === 'done';
    }, { message: 'the second job to finish' });
    const ended = (ev, jobId) => ev.some((e) => e.data.request_id === jobId && e.data.status === 'done');
    const resumed = await readEvents(`${server.url}/api/v1/client/events/stream`,
      { ...auth, 'Last-Event-ID': lastId }, (ev) => ended(ev, first) && ended(ev, second));
    assert.ok(ended(resumed.events, first) && ended(resumed.events, second),
      JSON.stringify(resumed.events.map((e) => [e.data.request_id, e.data.status])));
    for (const e of resumed.events) assert.match(e.id, /^\d{13}$/, 'a client stream\'s ids are server times');
  } finally {
    await h.cleanup();
  }
});
