// The reference Node worker (examples/worker-node) against the real server, for what
// the C++ worker-driven suites do not cover: it never runs more jobs than
// --concurrency, SIGTERM lets a running job finish (or hands it back once the grace
// period is over) and claims nothing more, and it reconnects when the server was away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Harness, GENQ, waitFor, submitJob } from './support/harness.mjs';

const WORKER = fileURLToPath(new URL('../../examples/worker-node/worker.mjs', import.meta.url));
const execFileP = promisify(execFile);

async function startNodeWorker(h, url, dataDir, args) {
  const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dataDir]);
  const { token } = JSON.parse(stdout);
  const proc = spawn(process.execPath, [WORKER, '--server', url, '--token', token, '--backend', 'synthetic', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  h.processes.push(proc);
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  proc.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  proc.log = () => log;
  return proc;
}

async function statusOf(url, apiKey, id) {
  const response = await fetch(`${url}/api/v1/client/request-status/${id}`, {
    headers: { Authorization: `Bearer ${apiKey}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()).data;
}

async function setUp(h, serverArgs = []) {
  const dir = await h.tempDir();
  const server = await h.startServer(dir, { args: serverArgs });
  const client = await h.createClient(dir);
  const status = (id) => statusOf(server.url, client.api_key, id);
  const submit = (overrides) => submitJob(server.url, client.api_key, overrides);
  return { dir, server, client, status, submit };
}

// request-status reads the store's in_progress as processing (deAPI's four statuses).
const running = (s) => s.status === 'processing';
const progressing = (s) => s.status === 'processing' && s.progress > 0;

test('the Node worker never runs more jobs than --concurrency, and uses all its slots', async () => {
  const h = new Harness();
  try {
    const { dir, server, status, submit } = await setUp(h);
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await submit({ steps: 4 }));
    const worker = await startNodeWorker(h, server.url, dir, ['--concurrency', '2', '--step-delay-ms', '150']);
    let most = 0;
    await waitFor(async () => {
      const statuses = await Promise.all(ids.map(status));
      most = Math.max(most, statuses.filter(running).length);
      return statuses.every((s) => s.status === 'done');
    }, { timeoutMs: 30000, message: `all six jobs done; worker log:\n${worker.log()}` });
    assert.ok(most <= 2, `${most} jobs ran at once with --concurrency 2`);
    assert.equal(most, 2, 'the worker should fill both slots');
  } finally {
    await h.cleanup();
  }
});

test('on SIGTERM the Node worker finishes its running job, claims nothing more and exits 0', async () => {
  const h = new Harness();
  try {
    const { dir, server, status, submit } = await setUp(h);
    const first = await submit({ steps: 4 });
    const worker = await startNodeWorker(h, server.url, dir, ['--concurrency', '1', '--step-delay-ms', '300']);
    await waitFor(async () => progressing(await status(first)), { message: 'the job to start' });

    worker.kill('SIGTERM');
    const later = await submit({ steps: 1 });
    const exit = await Promise.race([worker.exited, new Promise((r) => setTimeout(() => r('still running'), 15000))]);
    assert.deepEqual(exit, { code: 0, signal: null }, `worker log:\n${worker.log()}`);
    assert.equal((await status(first)).status, 'done', 'the running job was finished');
    assert.equal((await status(later)).status, 'pending', 'nothing was claimed after SIGTERM');
  } finally {
    await h.cleanup();
  }
});

test('past --grace-ms the Node worker hands its job back to the queue and exits 0', async () => {
  const h = new Harness();
  try {
    const { dir, server, status, submit } = await setUp(h);
    const id = await submit({ steps: 10 });
    const worker = await startNodeWorker(h, server.url, dir, ['--step-delay-ms', '1000', '--grace-ms', '200']);
    await waitFor(async () => progressing(await status(id)), { message: 'the job to start' });

    worker.kill('SIGTERM');
    const exit = await Promise.race([worker.exited, new Promise((r) => setTimeout(() => r('still running'), 10000))]);
    assert.deepEqual(exit, { code: 0, signal: null }, `worker log:\n${worker.log()}`);
    // Handed back, not left to expire: pending at once, long before the 30 s lease.
    const after = await status(id);
    assert.equal(after.status, 'pending', JSON.stringify(after));
    assert.equal(after.attempts, 0, `released, so the attempt is not counted: ${JSON.stringify(after)}`);

    const rescuer = await startNodeWorker(h, server.url, dir, ['--step-delay-ms', '5']);
    await waitFor(async () => (await status(id)).status === 'done',
      { timeoutMs: 20000, message: `the handed-back job to be done by another worker:\n${rescuer.log()}` });
  } finally {
    await h.cleanup();
  }
});

test('the Node worker reconnects after the server was away and takes the next job', async () => {
  const h = new Harness();
  try {
    const { dir, server, client } = await setUp(h);
    const relay = await h.relayTo(server);
    const worker = await startNodeWorker(h, relay.url, dir, ['--step-delay-ms', '5']);
    await waitFor(() => worker.log().includes('worker '), { message: 'the worker to start' });

    await h.stop(server.proc);
    relay.away();
    await waitFor(() => worker.log().includes('retrying in'), { message: `the worker to notice:\n${worker.log()}` });
    const again = await h.startServer(dir);
    relay.pointTo(again.port);
    const id = await submitJob(again.url, client.api_key);
    await waitFor(async () => (await statusOf(again.url, client.api_key, id)).status === 'done',
      { timeoutMs: 45000, message: `the job after the restart; worker log:\n${worker.log()}` });
    assert.equal(worker.exitCode, null, 'the worker kept running');
  } finally {
    await h.cleanup();
  }
});

test("the reference client's completeMany finishes a claim's jobs in one request, each answered on its own", async () => {
  const h = new Harness();
  try {
    const { dir, server, client } = await setUp(h);
    const { ProtocolClient } = await import('../../examples/worker-node/src/client.mjs');
    const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dir]);
    const protocol = new ProtocolClient({ server: server.url, token: JSON.parse(stdout).token, log: () => {} });
    const submitText = async () => {
      const res = await fetch(`${server.url}/api/v1/client/txt2embedding`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${client.api_key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'Bge_M3_FP16', input: 'x' }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()).data.request_id;
    };
    const ids = [await submitText(), await submitText(), await submitText()];
    const jobs = [];
    await waitFor(async () => {
      jobs.push(...await protocol.claim({ worker_id: 'batch', max_jobs: 3, wait_ms: 200 }));
      return jobs.length === ids.length;
    }, { timeoutMs: 10000, message: 'every job claimed' });
    const items = jobs.map((job, i) => ({ job, result: { embedding: [i] } }));
    items[1] = { job: { ...jobs[1], lease_id: 'ls_stale' }, result: { embedding: [1] } };
    const answers = await protocol.completeMany(items);
    assert.deepEqual(answers.map((a) => a.job_id), jobs.map((j) => j.job_id));
    assert.deepEqual(answers.map((a) => a.status), ['done', 'refused', 'done']);
    assert.equal(answers[1].http_status, 409);
    assert.equal(answers[1].code, 'lease_lost');
    const done = await statusOf(server.url, client.api_key, jobs[0].job_id);
    assert.equal(done.status, 'done');
  } finally {
    await h.cleanup();
  }
});

test('genq worker reads its token from --token-file (kept out of ps) and refuses to start without one', async () => {
  const h = new Harness();
  try {
    const { dir, server, status, submit } = await setUp(h);
    const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dir]);
    const tokenFile = `${dir}/worker-token`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(tokenFile, `  ${JSON.parse(stdout).token}\n`, { mode: 0o600 });
    const id = await submit({ steps: 2 });
    const proc = spawn(GENQ, ['worker', '--server', server.url, '--token-file', tokenFile, '--backend', 'synthetic',
      '--step-delay-ms', '10'], { stdio: ['ignore', 'ignore', 'pipe'] });
    h.processes.push(proc);
    proc.stderr.resume();
    assert.ok(!proc.spawnargs.some((a) => a.startsWith('gq_') || a.includes(JSON.parse(stdout).token)),
      'the token is not on the command line');
    await waitFor(async () => (await status(id)).status === 'done', { timeoutMs: 20000, message: 'job done' });

    const env = { ...process.env };
    delete env.GENQ_WORKER_TOKEN;
    await assert.rejects(
      execFileP(GENQ, ['worker', '--server', server.url, '--backend', 'synthetic'], { env }),
      (e) => e.code === 2 && /worker token is required/.test(e.stderr));
    await writeFile(`${dir}/empty-token`, '\n');
    await assert.rejects(
      execFileP(GENQ, ['worker', '--server', server.url, '--token-file', `${dir}/empty-token`], { env }),
      (e) => e.code === 2 && /is empty/.test(e.stderr));
  } finally {
    await h.cleanup();
  }
});
