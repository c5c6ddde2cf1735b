// genq frames WebSockets itself (docs/architecture.md): the protocol rules a browser
// never breaks, checked over a raw TCP socket, and fragmented messages and WebSocket
// pings from the `ws` client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { Harness, APP, pusherFlags, waitFor } from './support/harness.mjs';

const PATH = `/app/${APP.key}?protocol=7&client=js&version=8.6.0`;

// A raw connection after the handshake: collects the server's frames (unmasked).
async function rawSocket(h, port) {
  const socket = net.connect(port, '127.0.0.1');
  h.onCleanup(() => socket.destroy());
  const state = { frames: [], ended: false, buffer: Buffer.alloc(0), handshake: null };
  socket.on('data', (chunk) => {
    state.buffer = Buffer.concat([state.buffer, chunk]);
    if (state.handshake === null) {
      const end = state.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      state.handshake = state.buffer.subarray(0, end).toString();
      state.buffer = state.buffer.subarray(end + 4);
    }
    while (state.buffer.length >= 2) {
      let length = state.buffer[1] & 0x7f;
      let at = 2;
      if (length === 126) { length = state.buffer.readUInt16BE(2); at = 4; }
      if (state.buffer.length < at + length) return;
      state.frames.push({ opcode: state.buffer[0] & 0x0f, payload: state.buffer.subarray(at, at + length) });
      state.buffer = state.buffer.subarray(at + length);
    }
  });
  socket.on('close', () => { state.ended = true; });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await waitFor(() => state.frames.length >= 1, { message: 'connection_established' });
  assert.match(state.handshake, /^HTTP\/1\.1 101 /);
  assert.match(state.handshake, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  return { socket, state };
}

function frame(opcode, payload, { masked = true, fin = true } = {}) {
  const body = Buffer.from(payload);
  const mask = Buffer.from([1, 2, 3, 4]);
  const header = [(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | body.length];
  const out = Buffer.from(body.map((b, i) => (masked ? b ^ mask[i % 4] : b)));
  return Buffer.concat([Buffer.from(header), masked ? mask : Buffer.alloc(0), out]);
}

const closeCode = (f) => f.payload.readUInt16BE(0);

test('protocol errors close with 1002 and 1007, and a client close is echoed', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { port } = await h.startServer(dir, { args: pusherFlags() });

    const unmasked = await rawSocket(h, port);
    unmasked.socket.write(frame(0x1, '{"event":"pusher:ping","data":{}}', { masked: false }));
    await waitFor(() => unmasked.state.ended, { message: 'unmasked frame closes the connection' });
    const close1 = unmasked.state.frames.find((f) => f.opcode === 0x8);
    assert.equal(closeCode(close1), 1002);

    const badText = await rawSocket(h, port);
    badText.socket.write(frame(0x1, Buffer.from([0x7b, 0xc3])));
    await waitFor(() => badText.state.ended, { message: 'invalid UTF-8 closes the connection' });
    assert.equal(closeCode(badText.state.frames.find((f) => f.opcode === 0x8)), 1007);

    const polite = await rawSocket(h, port);
    polite.socket.write(frame(0x9, 'hello'));
    polite.socket.write(frame(0x8, Buffer.from([0x03, 0xe8])));
    await waitFor(() => polite.state.ended, { message: 'the server answers the close and hangs up' });
    const pong = polite.state.frames.find((f) => f.opcode === 0xa);
    assert.equal(pong.payload.toString(), 'hello');
    assert.equal(closeCode(polite.state.frames.find((f) => f.opcode === 0x8)), 1000);
  } finally {
    await h.cleanup();
  }
});

test('a fragmented subscribe is joined and an oversized message is refused with 1009', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const { port } = await h.startServer(dir, { args: pusherFlags() });
    const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}`);
    h.onCleanup(() => ws.terminate());
    const events = [];
    let closed = null;
    let pongs = 0;
    ws.on('message', (text) => events.push(JSON.parse(text).event));
    ws.on('pong', () => { pongs += 1; });
    ws.on('close', (code) => { closed = code; });
    await waitFor(() => events.includes('pusher:connection_established'), { message: 'established' });

    const subscribe = JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'lobby' } });
    ws.send(subscribe.slice(0, 10), { fin: false });
    ws.ping('x');
    ws.send(subscribe.slice(10, 20), { fin: false });
    ws.send(subscribe.slice(20), { fin: true });
    await waitFor(() => events.includes('pusher_internal:subscription_succeeded') && pongs === 1,
      { message: 'subscription from fragments, and a pong' });

    ws.send('x'.repeat(17 * 1024));
    await waitFor(() => closed !== null, { message: 'the oversized message closes the connection' });
    assert.equal(closed, 1009);
  } finally {
    await h.cleanup();
  }
});
