// RFC 6455 conformance of genq's WebSocket server, case by case over raw TCP sockets:
// the table in support/ws_conformance_cases.mjs follows the Autobahn TestSuite's
// categories (framing, pings, reserved bits, opcodes, fragmentation, UTF-8 with
// fail-fast, limits, the closing handshake) plus the opening handshake; then a real
// client, Debian's python3-websockets (tests/conformance/websockets_client.py), runs
// against the same server. Prints "N of M conformance cases passed" and each failure.
// Supersedes the raw-socket test that websocket_framing.test.mjs had; that file keeps
// the `ws` client's fragments and 1009.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Harness, APP, pusherFlags, waitFor } from './support/harness.mjs';
import { CASES, HANDSHAKE_CASES, LIMIT, frame } from './support/ws_conformance_cases.mjs';

const execFileP = promisify(execFile);
const PATH = `/app/${APP.key}?protocol=7&client=js&version=8.6.0`;
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

const harness = new Harness();
let server;
const failures = [];
let passed = 0;

async function serverPort() {
  if (!server) {
    const dir = await harness.tempDir();
    server = await harness.startServer(dir, { args: [...pusherFlags(), '--pusher-max-message-bytes', String(LIMIT)] });
  }
  return server.port;
}

after(async () => {
  const total = CASES.length + HANDSHAKE_CASES.length;
  console.log(`${passed} of ${total} conformance cases passed`);
  for (const failure of failures) console.log(`  failed ${failure}`);
  await harness.cleanup();
});

// Reads the server's frames (unmasked, any length encoding) after the 101.
function parseFrames(state) {
  for (;;) {
    const b = state.buffer;
    if (b.length < 2) return;
    let length = b[1] & 0x7f;
    let at = 2;
    if (length === 126) {
      if (b.length < 4) return;
      length = b.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (b.length < 10) return;
      length = Number(b.readBigUInt64BE(2));
      at = 10;
    }
    if (b.length < at + length) return;
    state.frames.push({ opcode: b[0] & 0x0f, fin: (b[0] & 0x80) !== 0, payload: b.subarray(at, at + length) });
    state.buffer = b.subarray(at + length);
  }
}

async function connect(port, path, established) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const state = { socket, frames: [], ended: false, buffer: Buffer.alloc(0), handshake: null };
  socket.on('data', (chunk) => {
    state.buffer = Buffer.concat([state.buffer, chunk]);
    if (state.handshake === null) {
      const end = state.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      state.handshake = state.buffer.subarray(0, end).toString();
      state.buffer = state.buffer.subarray(end + 4);
    }
    parseFrames(state);
  });
  socket.on('close', () => { state.ended = true; });
  socket.on('error', () => {});
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await waitFor(() => state.handshake !== null, { timeoutMs: 5000, message: 'the 101' });
  assert.match(state.handshake, /^HTTP\/1\.1 101 /);
  if (established) {
    await waitFor(() => state.frames.length >= 1, { timeoutMs: 5000, message: 'pusher:connection_established' });
    assert.equal(JSON.parse(state.frames.shift().payload).event, 'pusher:connection_established');
  }
  return state;
}

async function write(socket, bytes, chop) {
  if (!chop) {
    await new Promise((resolve) => socket.write(bytes, resolve));
    return;
  }
  for (let at = 0; at < bytes.length; at += chop) {
    await new Promise((resolve) => socket.write(bytes.subarray(at, at + chop), resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// What a server frame is, in the words of the expectations.
function describe(f) {
  if (f.opcode === 0x1) {
    const message = JSON.parse(f.payload.toString());
    if (message.event === 'pusher:pong') return 'pong';
    if (message.event === 'pusher:error') return { error: message.data?.message };
    return { event: message.event };
  }
  if (f.opcode === 0xa) return { pongFrame: f.payload.toString('hex') };
  if (f.opcode === 0x8) return { close: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null };
  return { opcode: f.opcode };
}

function matches(expected, seen) {
  if (expected === 'pong') return seen === 'pong';
  if (expected.error) return seen.error !== undefined && expected.error.test(seen.error);
  if (expected.event) return seen.event === expected.event;
  if (expected.pongFrame) return seen.pongFrame === expected.pongFrame.toString('hex');
  if ('close' in expected) return 'close' in seen && seen.close === expected.close;
  return false;
}

const show = (e) => (e === 'pong' ? 'pong' : JSON.stringify(e, (k, v) => (v instanceof RegExp ? String(v) : v)));

async function runCase(port, c) {
  const conn = await connect(port, c.path ?? PATH, !c.path);
  try {
    for (const bytes of c.send) await write(conn.socket, bytes, c.chop);
    const want = c.expect.length;
    await waitFor(() => conn.frames.length >= want || conn.ended, { timeoutMs: 5000, message: `${want} frames` });
    if (c.answerClose) {
      await waitFor(() => conn.frames.some((f) => f.opcode === 0x8), { timeoutMs: 5000, message: 'the server\'s close' });
      conn.socket.write(frame(0x8, conn.frames.find((f) => f.opcode === 0x8).payload.subarray(0, 2)));
    }
    if (c.after === 'closed') {
      await waitFor(() => conn.ended, { timeoutMs: 8000, message: 'the server to shut the connection' });
    } else {
      // Still working: a pusher:ping is answered, then a close 1000 is echoed and the socket shut.
      const before = conn.frames.length;
      conn.socket.write(frame(0x1, '{"event":"pusher:ping","data":{}}'));
      await waitFor(() => conn.frames.length > before && describe(conn.frames.at(-1)) === 'pong',
        { timeoutMs: 5000, message: 'the connection to still answer' });
      conn.frames.pop();
    }
    const seen = conn.frames.map(describe);
    const ok = seen.length === want && c.expect.every((e, i) => matches(e, seen[i]));
    assert.ok(ok, `expected [${c.expect.map(show).join(', ')}], got [${seen.map(show).join(', ')}]`);
    if (c.after === 'open') {
      conn.socket.write(frame(0x8, Buffer.from([0x03, 0xe8])));
      await waitFor(() => conn.ended, { timeoutMs: 5000, message: 'the close handshake after the case' });
      const close = conn.frames.at(-1);
      assert.equal(close?.opcode, 0x8, 'the last frame is the close answer');
      assert.equal(close.payload.readUInt16BE(0), 1000);
    }
  } finally {
    conn.socket.destroy();
  }
}

// Runs one case as a subtest and records its outcome for the summary.
async function recorded(t, label, fn) {
  await t.test(label, async () => {
    try {
      await fn();
      passed += 1;
    } catch (error) {
      failures.push(`${label}: ${error.message}`);
      throw error;
    }
  });
}

const categories = [...new Set(CASES.map((c) => c.category))];
for (const category of categories) {
  test(`RFC 6455 ${category}`, async (t) => {
    const port = await serverPort();
    for (const c of CASES.filter((x) => x.category === category)) {
      await recorded(t, `${c.id} ${c.description}`, () => runCase(port, c));
    }
  });
}

test('RFC 6455 opening handshake', async (t) => {
  const port = await serverPort();
  for (const c of HANDSHAKE_CASES) {
    await recorded(t, `${c.id} ${c.description}`, async () => {
      const socket = net.connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => { answer += d; });
      socket.on('error', () => {});
      try {
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(c.request(PATH));
        await waitFor(() => answer.includes('\r\n\r\n'), { timeoutMs: 5000, message: 'the answer\'s head' });
        const head = answer.slice(0, answer.indexOf('\r\n\r\n') + 2);
        assert.match(head, new RegExp(`^HTTP/1\\.1 ${c.status} `), head);
        for (const re of c.has ?? []) assert.match(head, re);
        for (const re of c.lacks ?? []) assert.doesNotMatch(head, re);
      } finally {
        socket.destroy();
      }
    });
  }
});

// Debian's python3-websockets as a real client: established, subscribe, Pusher and
// WebSocket ping/pong, a fragmented message, an oversized one (1009), a refused app
// key (4001), and the close handshake with its code.
const DEBIAN_PYTHON = '/usr/bin/python3';
async function haveWebsockets() {
  try {
    await execFileP(DEBIAN_PYTHON, ['-c', 'import websockets']);
    return true;
  } catch {
    return false;
  }
}

test('python3-websockets against genq', async (t) => {
  if (!(await haveWebsockets())) {
    t.skip('python3-websockets is not installed (scripts/install-deps.sh installs it)');
    return;
  }
  const port = await serverPort();
  const script = fileURLToPath(new URL('../conformance/websockets_client.py', import.meta.url));
  const { stdout } = await execFileP(DEBIAN_PYTHON, [script, '--url', `ws://127.0.0.1:${port}`, '--key', APP.key,
    '--limit', String(LIMIT)], { timeout: 60000 });
  const lines = stdout.trim().split('\n');
  const summary = lines.at(-1);
  assert.match(summary, /^\d+ passed, 0 failed$/, stdout);
  console.log(`python3-websockets: ${summary}`);
});
