// RFC 6455 conformance cases, after the Autobahn TestSuite's categories, for a server
// that echoes nothing: where Autobahn expects an echo, a case sends a Pusher
// `pusher:ping` text message (fragmented, chopped, with control frames between…) and
// expects `pusher:pong`. Each case: category, id, description, the bytes to send, and
// what must come back, in order and nothing else:
//   'pong'                     the text message {"event":"pusher:pong"}
//   { error: /re/ }            a pusher:error text message whose message matches
//   { pongFrame: Buffer }      a WebSocket pong with that payload
//   { close: code }            a close frame with that status (null: no status at all)
//   { event: name }            a text message of that Pusher event
// then `after`: 'open' (the connection still works: a pusher:ping is answered, and a
// close 1000 is echoed) or 'closed' (the server shut the TCP connection).
// The server runs with --pusher-max-message-bytes 65536 (LIMIT).
import { randomBytes } from 'node:crypto';

export const LIMIT = 65536;

// A client frame: masked with a random key unless told otherwise.
export function frame(opcode, payload = Buffer.alloc(0), { fin = true, rsv = 0, masked = true, length } = {}) {
  const body = Buffer.from(payload);
  const n = length ?? body.length;
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (n < 126) {
    head.push(maskBit | n);
  } else if (n <= 0xffff) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(n);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(n));
  }
  const mask = masked ? randomBytes(4) : Buffer.alloc(0);
  const out = masked ? Buffer.from(body.map((b, i) => b ^ mask[i % 4])) : body;
  return Buffer.concat([Buffer.from(head), extended, mask, out]);
}

const TEXT = 0x1;
const BINARY = 0x2;
const CONT = 0x0;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

// A pusher:ping of exactly `size` bytes (padding in its data string), or carrying `data`'s bytes.
export function pusherPing(size) {
  const head = '{"event":"pusher:ping","data":"';
  const tail = '"}';
  if (size === undefined) return Buffer.from(`${head}${tail}`);
  return Buffer.from(head + 'x'.repeat(size - head.length - tail.length) + tail);
}
const pingWith = (bytes) => Buffer.concat([Buffer.from('{"event":"pusher:ping","data":"'), Buffer.from(bytes), Buffer.from('"}')]);
const text = (payload, options) => frame(TEXT, payload, options);
const closeFrame = (code, reason = '') => {
  if (code === null) return frame(CLOSE);
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return frame(CLOSE, Buffer.concat([payload, Buffer.from(reason)]));
};
// A message split into fragments of the given sizes (the last one final).
function fragments(opcode, payload, sizes) {
  const out = [];
  let at = 0;
  sizes.forEach((size, i) => {
    out.push(frame(i === 0 ? opcode : CONT, payload.subarray(at, at + size), { fin: i === sizes.length - 1 }));
    at += size;
  });
  return out;
}
const ping = pusherPing();
const hex = (s) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const binaryBytes = (n) => Buffer.from(Array.from({ length: n }, (_, i) => i % 256));

const cases = [];
const add = (category, id, description, send, expect, after, options = {}) =>
  cases.push({ category, id, description, send, expect, after, ...options });

// ---- 1. Framing: text and binary messages of each length encoding ----
add('framing', '1.1.1', 'text message, 7-bit length', [text(ping)], ['pong'], 'open');
for (const [id, size] of [['1.1.2', 125], ['1.1.3', 126], ['1.1.4', 127], ['1.1.5', 128], ['1.1.6', 65535]]) {
  add('framing', id, `text message of ${size} bytes`, [text(pusherPing(size))], ['pong'], 'open');
}
add('framing', '1.1.7', 'text message of 65536 bytes (64-bit length)', [text(pusherPing(65536))], ['pong'], 'open');
add('framing', '1.1.8', 'text message of 1000 bytes written one byte at a time', [text(pusherPing(1000))], ['pong'], 'open',
  { chop: 1 });
add('framing', '1.1.9', 'empty text message (not JSON: a Pusher error, not a WebSocket one)', [text('')],
  [{ error: /JSON/ }], 'open');
add('framing', '1.1.10', 'two messages in one write', [Buffer.concat([text(ping), text(ping)])], ['pong', 'pong'], 'open');
for (const [id, size] of [['1.2.1', 0], ['1.2.2', 125], ['1.2.3', 126], ['1.2.4', 65536]]) {
  // genq speaks JSON text only; §7.4.1 lets it close with 1003, it answers a Pusher error instead.
  add('framing', id, `binary message of ${size} bytes: refused with a Pusher error, the connection kept`,
    [frame(BINARY, binaryBytes(size))], [{ error: /Binary messages are not supported/ }], 'open');
}
add('framing', '1.3.1', 'unmasked text frame', [text(ping, { masked: false })], [{ close: 1002 }], 'closed');
add('framing', '1.3.2', 'unmasked ping frame', [frame(PING, 'x', { masked: false })], [{ close: 1002 }], 'closed');

// ---- 2. Pings and pongs ----
add('pings', '2.1', 'ping without payload', [frame(PING)], [{ pongFrame: Buffer.alloc(0) }], 'open');
add('pings', '2.2', 'ping with a text payload', [frame(PING, 'Hello, world!')], [{ pongFrame: Buffer.from('Hello, world!') }], 'open');
add('pings', '2.3', 'ping with a binary payload', [frame(PING, hex('00ff fe fd fc fb 00 ff'))],
  [{ pongFrame: hex('00ff fe fd fc fb 00 ff') }], 'open');
add('pings', '2.4', 'ping with 125 bytes of payload', [frame(PING, binaryBytes(125))], [{ pongFrame: binaryBytes(125) }], 'open');
add('pings', '2.5', 'ping with 126 bytes of payload', [frame(PING, binaryBytes(126))], [{ close: 1002 }], 'closed');
add('pings', '2.6', 'ping with 125 bytes written one byte at a time', [frame(PING, binaryBytes(125))],
  [{ pongFrame: binaryBytes(125) }], 'open', { chop: 1 });
add('pings', '2.7', 'unsolicited pong without payload', [frame(PONG)], [], 'open');
add('pings', '2.8', 'unsolicited pong with payload', [frame(PONG, 'unsolicited')], [], 'open');
add('pings', '2.9', 'unsolicited pong, then a ping', [frame(PONG, 'a'), frame(PING, 'b')], [{ pongFrame: Buffer.from('b') }], 'open');
const tenPings = Array.from({ length: 10 }, (_, i) => frame(PING, `ping ${i}`));
const tenPongs = Array.from({ length: 10 }, (_, i) => ({ pongFrame: Buffer.from(`ping ${i}`) }));
add('pings', '2.10', '10 pings in one write: 10 pongs in order', [Buffer.concat(tenPings)], tenPongs, 'open');
add('pings', '2.11', '10 pings written one byte at a time', tenPings, tenPongs, 'open', { chop: 1 });

// ---- 3. Reserved bits (no extension is negotiated) ----
add('reserved bits', '3.1', 'text with RSV1', [text(ping, { rsv: 4 })], [{ close: 1002 }], 'closed');
add('reserved bits', '3.2', 'a message, then text with RSV2, then a ping', [text(ping), text(ping, { rsv: 2 }), frame(PING)],
  ['pong', { close: 1002 }], 'closed');
add('reserved bits', '3.3', 'text with RSV3, one byte at a time', [text(ping), text(ping, { rsv: 1 }), frame(PING)],
  ['pong', { close: 1002 }], 'closed', { chop: 1 });
add('reserved bits', '3.4', 'text with RSV1 and RSV2', [text(ping, { rsv: 6 })], [{ close: 1002 }], 'closed');
add('reserved bits', '3.5', 'binary with RSV1 and RSV3', [frame(BINARY, binaryBytes(8), { rsv: 5 })], [{ close: 1002 }], 'closed');
add('reserved bits', '3.6', 'ping with RSV2 and RSV3', [frame(PING, 'x', { rsv: 3 })], [{ close: 1002 }], 'closed');
add('reserved bits', '3.7', 'close with every RSV bit', [frame(CLOSE, hex('03e8'), { rsv: 7 })], [{ close: 1002 }], 'closed');
add('reserved bits', '3.8', 'continuation with RSV1', [text(ping.subarray(0, 5), { fin: false }), frame(CONT, ping.subarray(5), { rsv: 4 })],
  [{ close: 1002 }], 'closed');

// ---- 4. Opcodes ----
for (const op of [3, 4, 5, 6, 7]) {
  add('opcodes', `4.1.${op - 2}`, `reserved data opcode ${op}`, [frame(op, 'payload')], [{ close: 1002 }], 'closed');
}
add('opcodes', '4.1.6', 'a message, reserved opcode 5 without payload, a ping', [text(ping), frame(5), frame(PING)],
  ['pong', { close: 1002 }], 'closed');
for (const op of [0xb, 0xc, 0xd, 0xe, 0xf]) {
  add('opcodes', `4.2.${op - 0xa}`, `reserved control opcode ${op}`, [frame(op, 'payload')], [{ close: 1002 }], 'closed');
}
add('opcodes', '4.2.6', 'a message, reserved opcode 0xB without payload, a ping', [text(ping), frame(0xb), frame(PING)],
  ['pong', { close: 1002 }], 'closed');

// ---- 5. Fragmentation ----
add('fragmentation', '5.1', 'ping in two fragments', [frame(PING, 'frag', { fin: false }), frame(CONT, 'ment')], [{ close: 1002 }], 'closed');
add('fragmentation', '5.2', 'pong in two fragments', [frame(PONG, 'frag', { fin: false }), frame(CONT, 'ment')], [{ close: 1002 }], 'closed');
add('fragmentation', '5.3', 'text in two fragments', fragments(TEXT, ping, [10, ping.length - 10]), ['pong'], 'open');
add('fragmentation', '5.4', 'text in two fragments, one byte at a time', fragments(TEXT, ping, [10, ping.length - 10]),
  ['pong'], 'open', { chop: 1 });
{
  const [first, second] = fragments(TEXT, ping, [10, ping.length - 10]);
  add('fragmentation', '5.5', 'text in two fragments with a ping between', [first, frame(PING, 'between'), second],
    [{ pongFrame: Buffer.from('between') }, 'pong'], 'open');
  add('fragmentation', '5.6', 'the same, one byte at a time', [first, frame(PING, 'between'), second],
    [{ pongFrame: Buffer.from('between') }, 'pong'], 'open', { chop: 1 });
  add('fragmentation', '5.7', 'text in two fragments with an unsolicited pong between', [first, frame(PONG, 'x'), second],
    ['pong'], 'open');
  add('fragmentation', '5.8', 'text in two fragments with a ping and a pong between, in one write',
    [Buffer.concat([first, frame(PING, 'p'), frame(PONG, 'q'), second])], [{ pongFrame: Buffer.from('p') }, 'pong'], 'open');
}
add('fragmentation', '5.9', 'final continuation without a message', [frame(CONT, ping)], [{ close: 1002 }], 'closed');
add('fragmentation', '5.10', 'continuation without a message, then its final one',
  [frame(CONT, ping.subarray(0, 5), { fin: false }), frame(CONT, ping.subarray(5))], [{ close: 1002 }], 'closed');
add('fragmentation', '5.11', 'a message started, then a new text frame instead of its continuation',
  [text(ping.subarray(0, 5), { fin: false }), text(ping)], [{ close: 1002 }], 'closed');
add('fragmentation', '5.12', 'a message started, then a binary frame', [text(ping.subarray(0, 5), { fin: false }), frame(BINARY, 'x')],
  [{ close: 1002 }], 'closed');
add('fragmentation', '5.13', 'empty first, middle and last fragments',
  [text('', { fin: false }), frame(CONT, ping.subarray(0, 7), { fin: false }), frame(CONT, '', { fin: false }),
    frame(CONT, ping.subarray(7), { fin: false }), frame(CONT, '')], ['pong'], 'open');
add('fragmentation', '5.14', 'a message in one-byte fragments', fragments(TEXT, ping, Array(ping.length).fill(1)), ['pong'], 'open');
add('fragmentation', '5.15', 'a whole message, then a continuation', [text(ping), frame(CONT, ping)],
  ['pong', { close: 1002 }], 'closed');
add('fragmentation', '5.16', 'binary in three fragments: one Pusher error', fragments(BINARY, binaryBytes(30), [10, 10, 10]),
  [{ error: /Binary/ }], 'open');
{
  const subscribe = Buffer.from(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'conformance' } }));
  add('fragmentation', '5.17', 'a subscribe in three fragments', fragments(TEXT, subscribe, [7, 20, subscribe.length - 27]),
    [{ event: 'pusher_internal:subscription_succeeded' }], 'open');
}

// ---- 6. UTF-8 (RFC 3629 inside text messages; invalid text fails with 1007) ----
const validUtf8 = [
  ['6.1.1', 'Greek κόσμε', 'ceba e1bdb9 cf83 cebc ceb5'],
  ['6.1.2', 'first 2-, 3- and 4-byte code points (U+0080, U+0800, U+10000)', 'c280 e0a080 f0908080'],
  ['6.1.3', 'last 2-, 3- and 4-byte code points (U+07FF, U+FFFF, U+10FFFF)', 'dfbf efbfbf f48fbfbf'],
  ['6.1.4', 'around the surrogates (U+D7FF, U+E000)', 'ed9fbf ee8080'],
  ['6.1.5', 'noncharacters U+FFFE, U+FDD0 and the BOM', 'efbfbe efb790 efbbbf'],
  ['6.1.6', 'an emoji 🦊 and U+FFFD', 'f09fa68a efbfbd'],
];
for (const [id, description, bytes] of validUtf8) {
  add('utf-8', id, `valid: ${description}`, [text(pingWith(hex(bytes)))], ['pong'], 'open');
}
{
  const fox = pingWith(hex('f09fa68a'));
  const at = fox.indexOf(0xf0);
  add('utf-8', '6.2.1', 'valid: a 4-byte character split across two fragments',
    fragments(TEXT, fox, [at + 2, fox.length - at - 2]), ['pong'], 'open');
  add('utf-8', '6.2.2', 'valid: a 4-byte character in one-byte fragments',
    fragments(TEXT, fox, [at + 1, 1, 1, 1, fox.length - at - 4]), ['pong'], 'open');
}
const invalidUtf8 = [
  ['6.3.1', 'a stray continuation byte 0x80', '80'],
  ['6.3.2', 'an overlong "/" (C0 AF)', 'c0af'],
  ['6.3.3', 'an overlong 3-byte form (E0 80 AF)', 'e080af'],
  ['6.3.4', 'an overlong 4-byte form (F0 80 80 AF)', 'f08080af'],
  ['6.3.5', 'a UTF-16 surrogate U+D800 (ED A0 80)', 'eda080'],
  ['6.3.6', 'a low surrogate U+DFFF (ED BF BF)', 'edbfbf'],
  ['6.3.7', 'past U+10FFFF (F4 90 80 80)', 'f4908080'],
  ['6.3.8', 'bytes FE and FF', 'feff'],
  ['6.3.9', 'a 5-byte form (F8 88 80 80 80)', 'f888808080'],
  ['6.3.10', 'a lead byte followed by ASCII (C3 41)', 'c341'],
];
for (const [id, description, bytes] of invalidUtf8) {
  add('utf-8', id, `invalid: ${description}`, [text(pingWith(hex(bytes)))], [{ close: 1007 }], 'closed');
}
add('utf-8', '6.3.11', 'invalid: a character cut short by the end of the message',
  [text(Buffer.concat([Buffer.from('{"event":"pusher:ping"}'), hex('e282')]))], [{ close: 1007 }], 'closed');
add('utf-8', '6.3.12', 'invalid: in the last fragment of a message',
  [text(ping.subarray(0, 30), { fin: false }), frame(CONT, Buffer.concat([hex('eda080'), ping.subarray(30)]))], [{ close: 1007 }], 'closed');
// Fail-fast (Autobahn 6.4.x): the close comes before the rest of the message is sent.
add('utf-8', '6.4.1', 'fail-fast: an invalid first fragment, its continuation never sent',
  [text(pingWith(hex('ceba f4908080')).subarray(0, 40), { fin: false })], [{ close: 1007 }], 'closed');
add('utf-8', '6.4.2', 'fail-fast: F4 ends one fragment, 90 (past U+10FFFF) starts the next, the last never sent',
  [text(Buffer.concat([Buffer.from('{"event":"pusher:ping","data":"'), hex('cebaf4')]), { fin: false }),
    frame(CONT, hex('90'), { fin: false })], [{ close: 1007 }], 'closed');
{
  const whole = text(pingWith(hex('eda080 41424344')));
  const invalidAt = 6 + '{"event":"pusher:ping","data":"'.length + 2;  // header, then up to the surrogate's 2nd byte
  add('utf-8', '6.4.3', 'fail-fast: a surrogate inside one frame whose end is never sent',
    [whole.subarray(0, invalidAt)], [{ close: 1007 }], 'closed', { chop: 1 });
}
add('utf-8', '6.4.4', 'fail-fast: a stray continuation in a first fragment of a long message',
  [text(Buffer.concat([Buffer.from('{"event":"pusher:ping","data":"'), hex('80'), Buffer.alloc(1000, 0x61)]), { fin: false })],
  [{ close: 1007 }], 'closed');

// ---- 7. Limits ----
add('limits', '7.1', `a message of exactly the limit (${LIMIT} bytes)`, [text(pusherPing(LIMIT))], ['pong'], 'open');
add('limits', '7.2', 'a message one byte over the limit', [text(pusherPing(LIMIT + 1))], [{ close: 1009 }], 'closed');
add('limits', '7.3', 'two fragments under the limit that together exceed it',
  [text(Buffer.alloc(40000, 0x20), { fin: false }), frame(CONT, Buffer.alloc(40000, 0x20))], [{ close: 1009 }], 'closed');
add('limits', '7.4', 'a header announcing 2^52 bytes: refused before any payload',
  [frame(TEXT, Buffer.alloc(0), { length: 2 ** 52 }).subarray(0, 14)], [{ close: 1009 }], 'closed');
{
  const high = frame(TEXT, Buffer.alloc(0), { length: 0x10000 }).subarray(0, 14);
  high[2] |= 0x80;  // the 64-bit length's most significant bit (§5.2: it must be 0)
  add('limits', '7.5', '64-bit length with its most significant bit set', [high], [{ close: 1002 }], 'closed');
}
{
  const loose = Buffer.concat([Buffer.from([0x81, 0x80 | 126, 0x00, ping.length]), Buffer.from([0, 0, 0, 0]), ping]);
  add('limits', '7.6', 'a 16-bit length for a short payload (§5.2: the minimal encoding must be used)', [loose],
    [{ close: 1002 }], 'closed');
}
add('limits', '7.7', 'a message of 100 fragments totalling just under the limit', fragments(TEXT, pusherPing(LIMIT - 100),
  [...Array(99).fill(600), LIMIT - 100 - 99 * 600]), ['pong'], 'open');

// ---- 8. The closing handshake ----
add('close', '8.1', 'close without payload: answered without payload', [closeFrame(null)], [{ close: null }], 'closed');
add('close', '8.2', 'close 1000', [closeFrame(1000)], [{ close: 1000 }], 'closed');
add('close', '8.3', 'close 1000 with a reason', [closeFrame(1000, 'bye, κόσμε')], [{ close: 1000 }], 'closed');
add('close', '8.4', 'close with a one-byte payload', [frame(CLOSE, hex('03'))], [{ close: 1002 }], 'closed');
add('close', '8.5', 'close with 125 bytes of payload', [closeFrame(1000, 'r'.repeat(123))], [{ close: 1000 }], 'closed');
add('close', '8.6', 'close with 126 bytes of payload', [closeFrame(1000, 'r'.repeat(124))], [{ close: 1002 }], 'closed');
for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
  add('close', `8.7.${code}`, `valid close code ${code}: echoed`, [closeFrame(code)], [{ close: code }], 'closed');
}
for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
  add('close', `8.8.${code}`, `invalid close code ${code}`, [closeFrame(code)], [{ close: 1002 }], 'closed');
}
add('close', '8.9', 'a close reason that is not UTF-8', [frame(CLOSE, Buffer.concat([hex('03e8'), hex('cebae1bdb9eda080')]))],
  [{ close: 1007 }], 'closed');
add('close', '8.10', 'a message after the close is not answered', [closeFrame(1000), text(ping)], [{ close: 1000 }], 'closed');
add('close', '8.11', 'a ping after the close is not answered', [closeFrame(1000), frame(PING, 'late')], [{ close: 1000 }], 'closed');
add('close', '8.12', 'a second close is not answered', [closeFrame(1000), closeFrame(1001)], [{ close: 1000 }], 'closed');
add('close', '8.13', 'a close inside a fragmented message: the rest is not read',
  [text(ping.subarray(0, 5), { fin: false }), closeFrame(1000), frame(CONT, ping.subarray(5))], [{ close: 1000 }], 'closed');
add('close', '8.14', 'a message then a close in one write: answered in order',
  [Buffer.concat([text(ping), closeFrame(1001)])], ['pong', { close: 1001 }], 'closed');
add('close', '8.15', 'a server-initiated close (unknown app key) waits for the client\'s close',
  [], [{ error: /does not exist/ }, { close: 4001 }], 'closed', { path: '/app/unknown-key?protocol=7', answerClose: true });

export const CASES = cases;

// Opening-handshake cases (RFC 6455 §4.2): a raw HTTP request and what its answer must hold.
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgrade = (path, headers) =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
const standard = ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 13'];
export const HANDSHAKE_CASES = [
  { id: '9.1', description: 'the accept key of RFC 6455 §1.3\'s example', headers: standard,
    status: 101, has: [/Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i] },
  { id: '9.2', description: 'permessage-deflate offered: not accepted (RSV1 stays an error)',
    headers: [...standard, 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits'],
    status: 101, lacks: [/Sec-WebSocket-Extensions/i] },
  { id: '9.3', description: 'a subprotocol offered: none selected', headers: [...standard, 'Sec-WebSocket-Protocol: chat, superchat'],
    status: 101, lacks: [/Sec-WebSocket-Protocol/i] },
  { id: '9.4', description: 'version 8: 426 naming version 13',
    headers: ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 8'],
    status: 426, has: [/Sec-WebSocket-Version: 13\r\n/i] },
  { id: '9.5', description: 'no Sec-WebSocket-Key', headers: ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13'],
    status: 400 },
  { id: '9.6', description: 'a key that is not 16 bytes in base64',
    headers: ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: c2hvcnQ=', 'Sec-WebSocket-Version: 13'], status: 400 },
  { id: '9.7', description: 'Connection: keep-alive, Upgrade (a token list) is accepted',
    headers: ['Upgrade: websocket', 'Connection: keep-alive, Upgrade', `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 13'],
    status: 101 },
].map((c) => ({ ...c, request: (path) => upgrade(path, c.headers) }));
