// Connection caps (docs/security.md): past --max-connections, or past
// --max-connections-per-ip from one address, a new connection gets a 503 and is closed,
// and the connections already open keep working. A WebSocket keeps its place after the
// upgrade. A slot comes back when its connection closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { Harness, generatedApp, waitFor } from './support/harness.mjs';

// Opens a connection and, when `request` is given, sends it. Resolves once connected.
function connect(port, { localAddress, request } = {}) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port, localAddress });
    socket.received = '';
    socket.on('data', (d) => { socket.received += d.toString('latin1'); });
    socket.on('error', () => {});
    socket.once('error', reject);
    socket.once('connect', () => {
      if (request) socket.write(request);
      resolve(socket);
    });
  });
}

const HEALTH = 'GET /healthz HTTP/1.1\r\nHost: genq\r\n\r\n';

async function answerOf(socket) {
  await waitFor(() => /\r\n\r\n/.test(socket.received) || socket.destroyed, { timeoutMs: 5000, message: 'an answer' });
  return socket.received.split('\r\n')[0];
}

test('past --max-connections a new connection gets 503; a freed slot serves again', async () => {
  const h = new Harness();
  const sockets = [];
  try {
    const dir = await h.tempDir();
    const server = await h.startServer(dir, { args: ['--max-connections', '8'] });
    const { key } = await generatedApp(dir);
    // Two WebSockets and six idle keep-alive connections hold all eight slots.
    for (let i = 0; i < 2; i += 1) {
      const ws = await connect(server.port, {
        request: `GET /app/${key}?protocol=7 HTTP/1.1\r\nHost: genq\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      });
      assert.equal(await answerOf(ws), 'HTTP/1.1 101 Switching Protocols');
      sockets.push(ws);
    }
    for (let i = 0; i < 6; i += 1) {
      const idle = await connect(server.port, { request: HEALTH });
      assert.equal(await answerOf(idle), 'HTTP/1.1 200 OK');
      sockets.push(idle);
    }
    const ninth = await connect(server.port, { request: HEALTH });
    assert.equal(await answerOf(ninth), 'HTTP/1.1 503 Service Unavailable');
    assert.match(ninth.received, /Too many connections/);
    await waitFor(() => ninth.readableEnded || ninth.destroyed, { message: 'the refused connection closed' });

    // Closing a WebSocket gives its slot back.
    sockets.shift().destroy();
    await waitFor(async () => {
      const probe = await connect(server.port, { request: HEALTH });
      const status = await answerOf(probe);
      probe.destroy();
      return status === 'HTTP/1.1 200 OK';
    }, { message: 'a connection accepted again after one closed' });
    // The connections that were open all along still work.
    const kept = sockets[sockets.length - 1];
    kept.received = '';
    kept.write(HEALTH);
    assert.equal(await answerOf(kept), 'HTTP/1.1 200 OK');
  } finally {
    for (const socket of sockets) socket.destroy();
    await h.cleanup();
  }
});

test('--max-connections-per-ip caps one address and leaves the others alone', async () => {
  const h = new Harness();
  const sockets = [];
  try {
    const dir = await h.tempDir();
    const server = await h.startServer(dir, { args: ['--max-connections-per-ip', '4'] });
    for (let i = 0; i < 4; i += 1) {
      const idle = await connect(server.port, { localAddress: '127.0.0.1', request: HEALTH });
      assert.equal(await answerOf(idle), 'HTTP/1.1 200 OK');
      sockets.push(idle);
    }
    const fifth = await connect(server.port, { localAddress: '127.0.0.1', request: HEALTH });
    assert.equal(await answerOf(fifth), 'HTTP/1.1 503 Service Unavailable');
    // Another client address (all of 127/8 is this host's loopback) is served.
    const other = await connect(server.port, { localAddress: '127.0.0.2', request: HEALTH });
    assert.equal(await answerOf(other), 'HTTP/1.1 200 OK');
    sockets.push(other);
  } finally {
    for (const socket of sockets) socket.destroy();
    await h.cleanup();
  }
});
