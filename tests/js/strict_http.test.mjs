// Strict HTTP framing over a raw socket (docs/security.md): a transfer coding genq does
// not implement, or an HTTP/1.1 request without Host, is refused and the connection
// closed, so bytes after such a header can never be taken for a request of their own;
// every answer carries X-Content-Type-Options: nosniff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { Harness } from './support/harness.mjs';

// Sends `raw` and collects everything until the server closes (or 5 s pass).
function exchange(url, raw) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    let data = '';
    const timer = setTimeout(() => { socket.destroy(); resolve({ data, closed: false }); }, 5000);
    socket.on('data', (chunk) => { data += chunk.toString('latin1'); });
    socket.on('end', () => { clearTimeout(timer); resolve({ data, closed: true }); });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.write(raw);
  });
}

const responses = (data) => data.split(/\r\n(?=HTTP\/1\.[01] )/).filter((r) => r.startsWith('HTTP/'));

test('unsupported transfer codings and a missing Host are refused and the connection closed', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const server = await h.startServer(dir);
    const host = new URL(server.url).host;
    // What a proxy honouring gzip would send as one request; genq must not read the
    // "body" as a second request.
    const smuggled = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const coding of ['gzip', 'chunked, identity', 'identity']) {
      const { data, closed } = await exchange(server.url,
        `POST /api/v1/client/txt2img HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: ${coding}\r\n\r\n${smuggled}`);
      const answers = responses(data);
      assert.equal(answers.length, 1, `one answer for '${coding}', got: ${data}`);
      assert.match(answers[0], /^HTTP\/1\.1 501 /, data);
      assert.match(answers[0], /Transfer-Encoding/);
      assert.ok(closed, `connection closed after '${coding}'`);
    }

    const noHost = await exchange(server.url, 'GET /healthz HTTP/1.1\r\n\r\n');
    assert.match(noHost.data, /^HTTP\/1\.1 400 /, noHost.data);
    assert.match(noHost.data, /Host header/);
    assert.ok(noHost.closed);

    // HTTP/1.0 needs no Host; chunked alone is fine; nosniff on every answer.
    const old = await exchange(server.url, 'GET /healthz HTTP/1.0\r\n\r\n');
    assert.match(old.data, /^HTTP\/1\.0 200 /, old.data);
    assert.match(old.data, /\r\nX-Content-Type-Options: nosniff\r\n/i);
    const chunked = await exchange(server.url,
      `POST /api/v1/client/txt2img HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`);
    assert.match(chunked.data, /^HTTP\/1\.1 401 /, 'a chunked body is read (and this one is unauthenticated): ' + chunked.data);
  } finally {
    await h.cleanup();
  }
});
