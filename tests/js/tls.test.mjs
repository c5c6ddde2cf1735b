// HTTPS and WSS on genq's own port (--tls-cert, --tls-key; docs/tls.md), with
// certificates the test makes with the openssl command: a CA and two server
// certificates it signed. Clients trust the CA the way they would trust a real one:
// curl with --cacert, Node with NODE_EXTRA_CA_CERTS or a `ca` option, the genq worker
// with CURL_CA_BUNDLE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Harness, GENQ, pusherFlags, waitFor } from './support/harness.mjs';

const execFileP = promisify(execFile);
const clientScript = fileURLToPath(new URL('./support/tls_client.mjs', import.meta.url));

// ca.pem/ca.key, and for each name NAME.pem/NAME.key: a server certificate for
// 127.0.0.1 with CN=NAME and the given serial, signed by the CA.
async function makeCertificates(dir, leaves) {
  const openssl = (...args) => execFileP('openssl', args, { cwd: dir });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl('req', '-x509', ...ecKey, '-days', '2', '-subj', '/CN=genq test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  for (const [name, serial] of leaves) {
    await openssl('req', ...ecKey, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(serial),
      '-days', '2', '-extfile', 'server.ext', '-out', `${name}.pem`);
  }
}

// The certificate a new TLS connection to `port` is shown: {cn, serial}.
function certificateOf(port, ca) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve({ cn: cert.subject.CN, serial: cert.serialNumber });
    });
    socket.on('error', reject);
  });
}

// GET over `agent`: status, body, the connection's certificate and whether it was reused.
function get(agent, url) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent }, (res) => {
      const cn = res.socket.getPeerCertificate().subject.CN;
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body, cn, reused: req.reusedSocket }));
    });
    req.on('error', reject);
  });
}

async function findFileWithHash(dir, hash) {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (createHash('sha256').update(await readFile(path)).digest('hex') === hash) return path;
  }
  return null;
}

test('HTTPS and WSS on one port: curl, pusher-js with forceTLS, a worker, a large download', async () => {
  const h = new Harness();
  try {
    const certs = await h.tempDir();
    await makeCertificates(certs, [['genq-one', 1]]);
    const ca = join(certs, 'ca.pem');
    const dir = await h.tempDir();
    const { url, port } = await h.startServer(dir, {
      args: [...pusherFlags(), '--tls-cert', join(certs, 'genq-one.pem'), '--tls-key', join(certs, 'genq-one.key')],
    });
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/, 'genq prints its https address');

    const { stdout } = await execFileP('curl', ['-sS', '--cacert', ca, '-w', ' %{http_code}', `${url}/healthz`]);
    assert.match(stdout, / 200$/, `curl over https: ${stdout}`);
    await assert.rejects(execFileP('curl', ['-sS', `${url}/healthz`]), 'curl without the CA refuses the certificate');

    // Plain HTTP to the TLS port: a 400 that says to use https, not a page served in clear.
    const plain = await new Promise((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}/healthz`, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      }).on('error', reject);
    });
    assert.equal(plain.status, 400);
    assert.match(JSON.parse(plain.body).message, /https:\/\//);

    const client = await h.createClient(dir);
    const { stdout: tokenJson } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dir]);
    const worker = spawn(GENQ, ['worker', '--server', url, '--token', JSON.parse(tokenJson).token,
      '--backend', 'synthetic', '--synthetic-noise', '--step-delay-ms', '20'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CURL_CA_BUNDLE: ca } });
    worker.stderr.resume();
    h.processes.push(worker);

    const download = join(dir, 'download.bin');
    const child = await execFileP(process.execPath, [clientScript, url, client.client_id, client.api_key, download],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca }, timeout: 60000 });
    const seen = JSON.parse(child.stdout.trim().split('\n').at(-1));
    assert.equal(seen.statuses.at(-1), 'done', `pusher-js over wss saw ${seen.statuses}`);
    assert.equal(seen.statusCode, 200);
    assert.equal(seen.jobStatus, 'done');
    assert.match(seen.resultUrl, /^https:\/\//, 'result URLs are signed with the https base');
    assert.equal(seen.downloadStatus, 200);
    assert.ok(seen.downloadBytes > 2 * 1024 * 1024, `a download of some MiB, got ${seen.downloadBytes} bytes`);
    const hash = createHash('sha256').update(await readFile(download)).digest('hex');
    assert.ok(await findFileWithHash(join(dir, 'blobs'), hash), 'the download is byte-identical to the stored result');
  } finally {
    await h.cleanup();
  }
});

test('SIGHUP reloads the certificate for new connections; open ones and a bad file keep the old', async () => {
  const h = new Harness();
  try {
    const certs = await h.tempDir();
    await makeCertificates(certs, [['genq-one', 1], ['genq-two', 2]]);
    const ca = await readFile(join(certs, 'ca.pem'));
    const certFile = join(certs, 'serving.pem');
    const keyFile = join(certs, 'serving.key');
    await copyFile(join(certs, 'genq-one.pem'), certFile);
    await copyFile(join(certs, 'genq-one.key'), keyFile);
    const dir = await h.tempDir();
    const { url, port, proc } = await h.startServer(dir, { args: ['--tls-cert', certFile, '--tls-key', keyFile] });
    let log = '';  // genq logs to stdout
    proc.stdout.on('data', (d) => { log += d; });

    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
    h.onCleanup(() => agent.destroy());
    const first = await get(agent, `${url}/healthz`);
    assert.equal(first.status, 200);
    assert.equal(first.cn, 'genq-one');

    await copyFile(join(certs, 'genq-two.pem'), certFile);
    await copyFile(join(certs, 'genq-two.key'), keyFile);
    proc.kill('SIGHUP');
    const renewed = await waitFor(async () => {
      const cert = await certificateOf(port, ca);
      return cert.cn === 'genq-two' && cert;
    }, { message: 'a new connection to see the reloaded certificate' });
    assert.equal(renewed.serial, '02');

    const again = await get(agent, `${url}/healthz`);
    assert.equal(again.status, 200, 'the keep-alive connection still answers');
    assert.ok(again.reused, 'on the same connection');
    assert.equal(again.cn, 'genq-one', 'with the certificate it started with');

    await writeFile(certFile, 'not a certificate\n');
    proc.kill('SIGHUP');
    await waitFor(() => /not reloaded/.test(log), { message: 'the failed reload in the log' });
    assert.equal((await certificateOf(port, ca)).cn, 'genq-two', 'a bad file keeps the certificate in use');

    // Graceful stop with an idle TLS keep-alive connection open: it is closed, genq exits 0.
    await get(agent, `${url}/healthz`);
    const exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 5 s'), 5000))]);
    assert.equal(code, 0);
  } finally {
    await h.cleanup();
  }
});

test('TLS flags that cannot work stop genq at startup with a clear message', async () => {
  const h = new Harness();
  try {
    const certs = await h.tempDir();
    await makeCertificates(certs, [['genq-one', 1], ['genq-two', 2]]);
    const dir = await h.tempDir();
    const serve = async (...args) => {
      try {
        await execFileP(GENQ, ['serve', '--listen', '127.0.0.1:0', '--data', dir, ...args], { timeout: 15000 });
        return { code: 0, stderr: '' };
      } catch (e) {
        return { code: e.code, stderr: e.stderr };
      }
    };
    const one = join(certs, 'genq-one.pem');
    let r = await serve('--tls-cert', one);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--tls-cert and --tls-key go together/);
    r = await serve('--tls-cert', one, '--tls-key', join(certs, 'genq-two.key'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TLS key .*genq-two\.key/);
    r = await serve('--tls-cert', join(certs, 'missing.pem'), '--tls-key', join(certs, 'genq-one.key'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read the TLS certificate file .*missing\.pem/);
  } finally {
    await h.cleanup();
  }
});
