// A real S3 server for Node tests: s3rver (npm) behind the SigV4 check of
// s3rver_main.mjs, on 127.0.0.1 at a port free at start, in its own temp directory,
// with one bucket. Ended through its recorded pid.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './harness.mjs';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 's3rver_main.mjs');

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

export class S3Server {
  static accessKeyId = 'S3RVER';
  static secretAccessKey = 'S3RVER';
  static region = 'us-east-1';

  static async start({ bucket = 'genq' } = {}) {
    const server = new S3Server();
    server.bucket = bucket;
    server.dir = await mkdtemp(join(tmpdir(), 'genq-js-s3-'));
    server.port = await freePort();
    let output = '';
    const proc = spawn(process.execPath, [MAIN, '--directory', server.dir, '--port', String(server.port),
      '--bucket', bucket], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.proc = proc;
    server.pid = proc.pid;
    proc.stdout.on('data', (d) => { output += d; });
    proc.stderr.on('data', (d) => { output += d; });
    const failed = new Promise((_, reject) => {
      proc.once('exit', (code) => reject(new Error(`s3rver exited ${code}: ${output}`)));
    });
    const ready = waitFor(() => output.includes(`s3rver ready on ${server.port}`),
      { timeoutMs: 15000, message: `s3rver on port ${server.port}` });
    await Promise.race([ready, failed]);
    proc.removeAllListeners('exit');
    return server;
  }

  get endpoint() { return `http://127.0.0.1:${this.port}`; }

  // What genq serve needs in its environment to use this server.
  get env() {
    return {
      AWS_ENDPOINT_URL_S3: this.endpoint,
      AWS_REGION: S3Server.region,
      AWS_ACCESS_KEY_ID: S3Server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3Server.secretAccessKey,
    };
  }

  async close() {
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      process.kill(this.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(this.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
