// A real redis-server for Node tests: 127.0.0.1 on a port free at start, no
// persistence, its own temp dir. stop() and start() keep the port (an outage);
// the process is ended by its recorded pid.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './harness.mjs';

const BINARY = process.env.GENQ_REDIS_SERVER || 'redis-server';

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// One inline command on a fresh connection; resolves with the first reply line.
export function redisCommand(port, line, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('redis command timed out')); }, timeoutMs);
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (d) => {
      data += d;
      const end = data.indexOf('\r\n');
      if (end >= 0) { clearTimeout(timer); socket.destroy(); resolve(data.slice(0, end)); }
    });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

// PUBLISH in the array form (binary-safe); resolves with the reply line (":N").
export function redisPublish(port, channel, message) {
  const bulk = (text) => `$${Buffer.byteLength(text)}\r\n${text}`;
  return redisCommand(port, `*3\r\n${bulk('PUBLISH')}\r\n${bulk(channel)}\r\n${bulk(message)}`);
}

// Subscribes to `channel` and collects the payloads published on it.
export function redisSubscriber(port, channel) {
  const messages = [];
  const state = { messages, subscribed: false, close: () => socket.destroy() };
  const socket = net.connect(port, '127.0.0.1');
  let buffer = Buffer.alloc(0);
  socket.on('connect', () => socket.write(`SUBSCRIBE ${channel}\r\n`));
  socket.on('data', (d) => {
    buffer = Buffer.concat([buffer, d]);
    // Replies are arrays of bulk strings: *3 $7 message $N channel $M payload.
    for (;;) {
      const parsed = parseArray(buffer);
      if (!parsed) break;
      buffer = buffer.subarray(parsed.used);
      if (parsed.items[0] === 'subscribe') state.subscribed = true;
      if (parsed.items[0] === 'message') messages.push(parsed.items[2]);
    }
  });
  socket.on('error', () => {});
  return state;
}

function parseArray(buf) {
  const line = (from) => {
    const end = buf.indexOf('\r\n', from);
    return end < 0 ? null : { text: buf.subarray(from, end).toString(), next: end + 2 };
  };
  const head = line(0);
  if (!head || head.text[0] !== '*') return null;
  const count = Number(head.text.slice(1));
  let at = head.next;
  const items = [];
  for (let i = 0; i < count; i += 1) {
    const h = line(at);
    if (!h) return null;
    if (h.text[0] === ':') { items.push(Number(h.text.slice(1))); at = h.next; continue; }
    const len = Number(h.text.slice(1));
    if (buf.length < h.next + len + 2) return null;
    items.push(buf.subarray(h.next, h.next + len).toString());
    at = h.next + len + 2;
  }
  return { items, used: at };
}

export class RedisServer {
  static async start() {
    const server = new RedisServer();
    server.dir = await mkdtemp(join(tmpdir(), 'genq-js-redis-'));
    server.port = await freePort();
    await server.start();
    return server;
  }

  get url() { return `redis://127.0.0.1:${this.port}`; }

  async start() {
    let output = '';
    const proc = spawn(BINARY, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', 'no', '--dir', this.dir, '--protected-mode', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    const failed = new Promise((_, reject) => {
      proc.once('error', (e) => reject(new Error(
        `cannot run ${BINARY} (${e.code}): install Debian's redis-server (scripts/install-deps.sh)`)));
      proc.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${output}`)));
    });
    proc.stdout.on('data', (d) => { output += d; });
    proc.stderr.on('data', (d) => { output += d; });
    this.proc = proc;
    const ready = waitFor(async () => {
      try { return (await redisCommand(this.port, 'PING')) === '+PONG'; } catch { return false; }
    }, { timeoutMs: 10000, message: `redis-server on port ${this.port}` });
    await Promise.race([ready, failed]);
    proc.removeAllListeners('exit');
  }

  async stop() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.proc = null;
  }

  async close() {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
