// Test harness for the Node client tests: starts the real genq binary (server and
// synthetic worker), creates credentials with `genq admin`, and waits on conditions
// with deadlines. Every process a test starts is recorded by pid and killed in
// cleanup(); nothing is killed by name.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkResponsesFrom, installFetchCheck, takeViolations } from './openapi_check.mjs';
import { TcpRelay } from './tcp_relay.mjs';

const execFileP = promisify(execFile);

export const GENQ = process.env.GENQ_BINARY;
if (!GENQ) throw new Error('GENQ_BINARY must name the genq binary (e.g. build/genq)');

// Every answer a test fetches from a server started here is checked against
// docs/openapi.json (support/openapi_check.mjs).
installFetchCheck();

// Fixed Pusher credentials for tests that pass them as flags.
export const APP = { appId: '424242', key: 'genq-test-key', secret: 'genq-test-secret' };
export const pusherFlags = (app = APP) => [
  '--pusher-app-id', app.appId, '--pusher-key', app.key, '--pusher-secret', app.secret,
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `condition` (sync or async) until it is truthy; throws `message` at the deadline.
export async function waitFor(condition, { timeoutMs = 15000, message = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

export class Harness {
  constructor() {
    this.processes = [];   // child processes to kill in cleanup, by pid
    this.closers = [];     // client connections to close in cleanup
    this.dirs = [];
  }

  async tempDir() {
    const dir = await mkdtemp(join(tmpdir(), 'genq-js-'));
    this.dirs.push(dir);
    return dir;
  }

  // Starts `genq serve`; resolves with {url, port, proc} once it prints its address.
  // descriptorLimit: run it under `ulimit -n` (soft and hard), as a small container would.
  // env: variables added to this process's environment for the server (AWS_*, …).
  async startServer(dataDir, { listen = '127.0.0.1:0', args = [], descriptorLimit, env = {} } = {}) {
    const argv = ['serve', '--listen', listen, '--data', dataDir, '--log-level', 'warn', ...args];
    const proc = descriptorLimit
      ? spawn('/bin/sh', ['-c', `ulimit -n ${Number(descriptorLimit)} && exec "$0" "$@"`, GENQ, ...argv],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
      : spawn(GENQ, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.processes.push(proc);
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`genq serve did not start: ${stderr}`)), 15000);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (https?:\/\/\S+)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`genq serve exited ${code}: ${stderr}`)); });
    });
    proc.removeAllListeners('exit');
    checkResponsesFrom(url);
    const port = Number(new URL(url).port);
    return { url, port, proc, stderr: () => stderr };
  }

  // Stops a process with SIGTERM and waits for it to exit (SIGKILL after 10 s).
  async stop(proc) {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }

  async createClient(dataDir, name = 'js-test') {
    const { stdout } = await execFileP(GENQ, ['admin', 'create-client', '--data', dataDir, '--name', name]);
    return JSON.parse(stdout);  // {client_id, api_key, webhook_secret}
  }

  async startWorker(url, dataDir, { stepDelayMs = 50 } = {}) {
    const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dataDir]);
    const { token } = JSON.parse(stdout);
    const proc = spawn(GENQ, ['worker', '--server', url, '--token', token, '--backend', 'synthetic',
      '--step-delay-ms', String(stepDelayMs)], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr.resume();
    this.processes.push(proc);
    return proc;
  }

  onCleanup(fn) { this.closers.push(fn); }

  // A fixed address in front of `server` (support/tcp_relay.mjs) for clients that must
  // outlive a restart; the restarted server listens on a port of its own.
  async relayTo(server) {
    const relay = await TcpRelay.start();
    relay.pointTo(server.port);
    checkResponsesFrom(relay.url);
    this.onCleanup(() => relay.close());
    return relay;
  }

  async cleanup() {
    for (const close of this.closers.reverse()) {
      try { await close(); } catch { /* already closed */ }
    }
    await Promise.all(this.processes.map((p) => this.stop(p)));
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true });
    const undocumented = takeViolations();
    if (undocumented.length) {
      throw new Error(`genq answered or sent what docs/openapi.json does not document:\n  ${undocumented.join('\n  ')}`);
    }
  }
}

export async function submitJob(url, apiKey, overrides = {}) {
  const res = await fetch(`${url}/api/v1/client/txt2img`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'Flux1schnell', prompt: 'x', width: 256, height: 256, steps: 4, ...overrides }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`submit answered ${res.status}: ${JSON.stringify(body)}`);
  return body.data.request_id;
}

// The credentials genq generated into a data directory on first start.
export async function generatedApp(dataDir) {
  const read = async (name) => (await readFile(join(dataDir, name), 'utf8')).trim();
  return { appId: await read('pusher-app-id'), key: await read('pusher-key'), secret: await read('pusher-secret') };
}

// The seed's authorizer, verbatim but for the URL: fetch /broadcasting/auth with the
// API key and hand the JSON to pusher-js. `log` records each answer's status.
export function seedAuthorizer(url, apiKey, log = []) {
  return (channel) => ({
    authorize: async (socketId, callback) => {
      try {
        const response = await fetch(`${url}/broadcasting/auth`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ socket_id: socketId, channel_name: channel.name }),
        });
        log.push({ channel: channel.name, status: response.status });
        callback(null, await response.json());
      } catch (error) {
        callback(error);
      }
    },
  });
}

// pusher-js options as the seed writes them, pointed at a local genq.
export function seedOptions(port, url, apiKey, extra = {}) {
  return {
    wsHost: '127.0.0.1',
    wsPort: port,
    wssPort: port,
    forceTLS: false,
    enabledTransports: ['ws', 'wss'],
    cluster: 'mt1',
    disableStats: true,
    authorizer: seedAuthorizer(url, apiKey),
    ...extra,
  };
}
