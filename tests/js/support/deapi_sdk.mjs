// Sending requests exactly as deAPI's official Python SDK sends them (JSON, or
// httpx-style multipart with the same field names and encodings) and holding the
// answers to the SDK's types; media and a local input server for the
// deapi_sdk*.test.mjs files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { once } from 'node:events';
import { deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';

import { waitFor } from './harness.mjs';

// --- media -----------------------------------------------------------------------

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// A real w×h RGB PNG (the synthetic backend decodes image inputs).
export function png(w = 32, h = 32) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([x * 8, y * 8, 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

// A w×h RGB PNG shaped like a photo's file: a gradient under strong noise, so it
// compresses about as badly as a real photo (~2.5 bytes a pixel: 1600×1200 is ~5 MB).
export function photoPng(w, h) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  const noise = randomBytes(w * h * 3);
  const raw = Buffer.alloc(h * (1 + w * 3));
  for (let y = 0, i = 0, n = 0; y < h; y++) {
    raw[i++] = 0;  // filter: none
    for (let x = 0; x < w; x++) {
      const base = [(x * 255) / w, (y * 255) / h, 128];
      for (let c = 0; c < 3; c++) raw[i++] = Math.max(0, Math.min(255, base[c] + (noise[n++] - 128) / 2));
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// A short 16-bit mono WAV of silence.
export function wav(samples = 800) {
  const data = Buffer.alloc(samples * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8); h.write('fmt ', 12);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

// Bytes standing in for an MP4 (genq stores inputs as they are; the synthetic
// backend only hashes audio and video inputs).
// A real 64×64, 1 s H.264 clip (workers decode their inputs, so it must play), made
// once by ffmpeg, as tests/support/media.cpp makes its clips.
export function mp4() {
  const dir = mkdtempSync(join(tmpdir(), 'genq-clip-'));
  try {
    const file = join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=8',
      '-t', '1', '-pix_fmt', 'yuv420p', file]);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- the SDK's requests ----------------------------------------------------------

// The server and client the calls go to; set by useServer() in each test file's
// before() hook (every test file runs in its own process).
const target = { server: null, client: null };
export function useServer(server, client) {
  target.server = server;
  target.client = client;
}

// json: a JSON body; form: {data, files} as multipart; urlencoded: fields as
// application/x-www-form-urlencoded (httpx's data= without files); query: params.
export async function call(method, path, { json, form, urlencoded, query } = {}) {
  const url = new URL(`${target.server.url}/api/v1/client/${path}`);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  const headers = { Authorization: `Bearer ${target.client.api_key}`, Accept: 'application/json' };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (urlencoded !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = typeof urlencoded === 'string' ? urlencoded  // as is, to send a malformed one
      : new URLSearchParams(Object.entries(urlencoded).map(([k, v]) => [k, String(v)])).toString();
  } else if (form !== undefined) {
    // httpx's multipart: data fields as text, files as (filename, bytes, content type).
    body = new FormData();
    for (const [k, v] of Object.entries(form.data ?? {})) body.append(k, String(v));
    for (const [k, filename, bytes, type] of form.files ?? []) body.append(k, new Blob([bytes], { type }), filename);
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json: parsed, text };
}

export const post = (path, opts) => call('POST', path, opts);

// The SDK reads resp["data"]["request_id"], then polls request-status until final.
export async function submitted(res) {
  assert.equal(res.status, 200, res.text);
  assert.equal(typeof res.json.data.request_id, 'string', res.text);
  return res.json.data.request_id;
}

export async function finalStatus(id) {
  let last;
  await waitFor(async () => {
    const res = await call('GET', `request-status/${id}`);
    assert.equal(res.status, 200, res.text);
    last = res.json.data;
    return last.status === 'done' || last.status === 'error';
  }, { timeoutMs: 30000, message: `job ${id} final` });
  return last;
}

export async function done(res) {
  const status = await finalStatus(await submitted(res));
  assert.equal(status.status, 'done', JSON.stringify(status));
  return status;
}

// PriceResult: {"price": float}, read from data.
export function assertPrice(res, expected) {
  assert.equal(res.status, 200, res.text);
  assert.equal(typeof res.json.data.price, 'number', res.text);
  if (expected !== undefined) assert.ok(Math.abs(res.json.data.price - expected) < 1e-9, `${res.json.data.price} != ${expected}`);
}

export function assert422(res, field, pattern) {
  assert.equal(res.status, 422, res.text);
  assert.ok(res.json.errors[field], `no error on ${field}: ${res.text}`);
  if (pattern) assert.match(res.json.errors[field][0], pattern);
}

// A local server genq downloads inputs from; records what it was asked for.
export class InputServer {
  constructor() {
    this.requests = [];
    this.files = new Map();
    this.sockets = new Set();
    this.server = http.createServer((req, res) => {
      this.requests.push(req.url);
      if (req.url === '/stall') {  // headers, a first byte, then nothing
        res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': 1000 });
        return res.write('R');
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: '/speech.wav' });
        return res.end();
      }
      const file = this.files.get(req.url);
      if (!file) {
        res.writeHead(404);
        return res.end('not here');
      }
      res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.bytes.length });
      res.end(file.bytes);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }
  async listen() {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.base = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }
  url(path) { return `${this.base}${path}`; }
  close() {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((r) => this.server.close(r));
  }
}

export const SPEECH = wav(1000);  // 2044 bytes
export const CLIP = mp4();

// Starts the server both SDK test files use (FLAGS, a client, a synthetic worker) and
// points the calls at it; resolves with {server, client}.
export async function startSdkServer(h) {
  const dir = await h.tempDir();
  const client = await h.createClient(dir);
  const server = await h.startServer(dir, { args: FLAGS });
  useServer(server, client);
  await h.startWorker(server.url, dir, { stepDelayMs: 5 });
  return { server, client };
}

// Loopback input servers need both flags, exactly as loopback webhook receivers do.
export const FLAGS = ['--webhook-allow-http', '--webhook-allow-private', '--input-fetch-max-bytes', '100000',
  '--input-fetch-timeout-s', '2', '--input-fetch-concurrency', '1'];
