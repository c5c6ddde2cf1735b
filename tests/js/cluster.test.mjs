// Three genq nodes sharing only PostgreSQL (--store), Redis (--bus) and, for files,
// an S3 server (--blobs s3://…), used the way
// docs/scale-out.md says a load balancer spreads requests: every API works whichever
// node a request lands on; a node killed with SIGKILL loses no acknowledged job; a
// Redis restart is survived.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher-js';
import { Harness, waitFor, submitJob, seedOptions } from './support/harness.mjs';
import { Cluster, statusOn } from './support/cluster.mjs';
import { WebhookReceiver } from './support/webhook_receiver.mjs';

const WEBHOOK_FLAGS = ['--webhook-allow-http', '--webhook-allow-private'];

async function realtimeOn(url, apiKey) {
  const res = await fetch(`${url}/api/v1/client/realtime`, { headers: { Authorization: `Bearer ${apiKey}` } });
  assert.equal(res.status, 200);
  return (await res.json()).data;
}

async function claimWaiters(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(/^genq_claim_waiters(?:\{[^}]*\})? (\d+)/m)?.[1] ?? 0);
}

function watch(h, node, key, apiKey, channel) {
  const pusher = new Pusher(key, seedOptions(node.port, node.url, apiKey));
  h.onCleanup(() => pusher.disconnect());
  const watcher = { updates: [], subscribed: false };
  const sub = pusher.subscribe(channel);
  sub.bind('pusher:subscription_succeeded', () => { watcher.subscribed = true; });
  sub.bind('request.status.updated', (data) => watcher.updates.push(data));
  return watcher;
}

test('three nodes act as one: submitted on 1, claimed on 2 at once, watched on 3, downloaded anywhere, one webhook', async () => {
  const h = new Harness();
  try {
    const cluster = await Cluster.start(h, { nodes: 3, args: WEBHOOK_FLAGS, s3: true });
    const [n1, n2, n3] = cluster.nodes;
    const client = await cluster.createClient();
    const receiver = await new WebhookReceiver({ secret: client.webhook_secret }).listen();
    h.onCleanup(() => receiver.close());

    // Every node agrees on the Pusher app without being told: it lives in the store.
    const realtime = await realtimeOn(n3.url, client.api_key);
    for (const node of cluster.nodes) assert.equal((await realtimeOn(node.url, client.api_key)).key, realtime.key);
    const watcher = watch(h, n3, realtime.key, client.api_key, realtime.channel);
    await waitFor(() => watcher.subscribed, { message: 'pusher-js subscribed on node 3' });

    // One worker, long-polling on node 2 with a 30 s wait: only a wake-up from node 1's
    // submit can hand it the job within seconds.
    await cluster.startWorker(n2.url, { args: ['--wait-ms', '30000', '--concurrency', '1'] });
    await waitFor(async () => (await claimWaiters(n2.url)) > 0, { message: 'the worker waiting on node 2' });
    const submitted = Date.now();
    const id = await submitJob(n1.url, client.api_key, { webhook_url: receiver.url() });
    await waitFor(async () => (await statusOn(n1.url, client.api_key, id)).status !== 'pending',
      { timeoutMs: 20000, message: 'the job claimed through node 2' });
    const claimMs = Date.now() - submitted;
    assert.ok(claimMs < 10000, `claimed after ${claimMs} ms: woken by the long-poll timeout, not by the submit`);

    await waitFor(() => watcher.updates.some((u) => u.request_id === id && u.status === 'done'),
      { timeoutMs: 30000, message: 'done over pusher-js on node 3' });
    const seen = watcher.updates.filter((u) => u.request_id === id).map((u) => u.status);
    assert.equal(seen.at(-1), 'done', `nothing after done: ${seen}`);
    for (const node of cluster.nodes) {
      const status = await statusOn(node.url, client.api_key, id);
      assert.equal(status.status, 'done', `status on ${node.url}`);
      assert.equal(status.progress, 100);
      // The worker uploaded through node 2; the file downloads whichever node signed it.
      const file = await fetch(status.result_url);
      assert.equal(file.status, 200, `result_url from ${node.url}`);
      assert.equal(Buffer.from(await file.arrayBuffer()).subarray(1, 4).toString('latin1'), 'PNG');
    }
    const event = watcher.updates.find((u) => u.request_id === id && u.status === 'done');
    assert.equal((await fetch(event.result_url)).status, 200, 'the result_url of the WebSocket event downloads');

    // The webhooks: each event sent once, though three delivery engines share the
    // outbox. A second job's completion arriving shows the engines have run again
    // since the first job's.
    const completed = (job) => receiver.requests.filter((r) => r.json?.data?.job_request_id === job && r.event === 'job.completed');
    await waitFor(() => completed(id).length > 0, { timeoutMs: 30000, message: 'the first job\'s job.completed webhook' });
    const second = await submitJob(n3.url, client.api_key, { webhook_url: receiver.url() });
    await waitFor(() => completed(second).length > 0, { timeoutMs: 30000, message: 'the second job\'s webhook' });
    const ids = receiver.requests.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, `a delivery was sent twice: ${JSON.stringify(receiver.requests.map((r) => [r.id, r.event]))}`);
    assert.equal(completed(id).length, 1, 'job.completed of the first job was sent once');
    const hooksFor = (job) => receiver.requests.filter((r) => r.json?.data?.job_request_id === job);
    assert.equal(hooksFor(id)[0].standardError, null, 'signed with the client\'s secret');
  } finally {
    await h.cleanup();
  }
});

test('a node killed with SIGKILL under load loses no acknowledged job; its worker\'s jobs finish elsewhere', async () => {
  const h = new Harness();
  try {
    // Short leases: a job whose worker can no longer reach its node is requeued quickly.
    const cluster = await Cluster.start(h, { nodes: 3, args: ['--lease-ms', '1500'] });
    const [n1, n2, n3] = cluster.nodes;
    const client = await cluster.createClient();
    await cluster.startWorker(n1.url, { stepDelayMs: 100, args: ['--concurrency', '4'] });
    await cluster.startWorker(n2.url, { stepDelayMs: 100, args: ['--concurrency', '4'] });

    const acknowledged = [];
    const submitters = [n1, n2, n3].map(async (node, lane) => {
      for (let i = 0; i < 20; i += 1) {
        try {
          acknowledged.push(await submitJob(node.url, client.api_key, { prompt: `lane ${lane} job ${i}` }));
        } catch (e) {
          if (node !== n1) throw e;  // only the killed node may refuse
          break;
        }
      }
    });
    // Kill node 1 once its worker holds jobs.
    await waitFor(async () => {
      const text = await (await fetch(`${n1.url}/metrics`)).text();
      return /genq_jobs\{status="(processing|in_progress)"\} [1-9]/.test(text) || acknowledged.length >= 20;
    }, { message: 'jobs in progress before the kill' });
    n1.proc.kill('SIGKILL');
    await Promise.all(submitters);
    assert.ok(acknowledged.length >= 40, `${acknowledged.length} jobs acknowledged`);

    // Every acknowledged job ends done, read through the surviving nodes.
    await waitFor(async () => {
      for (const id of acknowledged) {
        if ((await statusOn(n3.url, client.api_key, id)).status !== 'done') return false;
      }
      return true;
    }, { timeoutMs: 60000, message: 'every acknowledged job done' });
    for (const id of acknowledged) assert.equal((await statusOn(n2.url, client.api_key, id)).status, 'done');
  } finally {
    await h.cleanup();
  }
});

test('a Redis restart mid-run: the nodes reconnect and jobs keep flowing across them', async () => {
  const h = new Harness();
  try {
    const cluster = await Cluster.start(h, { nodes: 3 });
    const [n1, n2, n3] = cluster.nodes;
    const client = await cluster.createClient();
    await cluster.startWorker(n2.url, { args: ['--wait-ms', '30000'] });
    const before = await submitJob(n1.url, client.api_key);
    await waitFor(async () => (await statusOn(n3.url, client.api_key, before)).status === 'done',
      { timeoutMs: 30000, message: 'a job done before the restart' });

    await cluster.redis.stop();
    await waitFor(async () => (await fetch(`${n1.url}/readyz`)).status === 503, { message: 'node 1 not ready without Redis' });
    // Jobs are still accepted and served meanwhile: the store is the truth, and a
    // waiting claim re-checks it.
    const during = await submitJob(n1.url, client.api_key);
    await cluster.redis.start();
    for (const node of cluster.nodes) {
      await waitFor(async () => (await fetch(`${node.url}/readyz`)).status === 200,
        { timeoutMs: 20000, message: `${node.url} ready again` });
    }
    const realtime = await realtimeOn(n3.url, client.api_key);
    const watcher = watch(h, n3, realtime.key, client.api_key, realtime.channel);
    await waitFor(() => watcher.subscribed, { message: 'pusher-js subscribed on node 3' });
    const after = await submitJob(n1.url, client.api_key);
    await waitFor(() => watcher.updates.some((u) => u.request_id === after && u.status === 'done'),
      { timeoutMs: 30000, message: 'the job after the restart done over pusher-js on node 3' });
    await waitFor(async () => (await statusOn(n3.url, client.api_key, during)).status === 'done',
      { timeoutMs: 30000, message: 'the job submitted while Redis was down done' });
  } finally {
    await h.cleanup();
  }
});
