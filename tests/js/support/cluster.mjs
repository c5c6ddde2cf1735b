// Several genq nodes sharing only a PostgreSQL database (--store), a redis-server
// (--bus), with `s3` an S3 server (s3rver, --blobs s3://genq), and whatever `args` add,
// each with a data directory of its own, as the scale-out docs deploy them. Accounts
// are made with `genq admin … --store`.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { GENQ } from './harness.mjs';
import { createDatabase } from './postgres.mjs';
import { RedisServer } from './redis_server.mjs';
import { S3Server } from './s3_server.mjs';

const execFileP = promisify(execFile);

export class Cluster {
  // Starts `nodes` nodes. h: the test's Harness (it stops everything in cleanup).
  static async start(h, { nodes = 3, args = [], s3 = false } = {}) {
    const store = await createDatabase(h);
    const redis = await RedisServer.start();
    h.onCleanup(() => redis.close());
    const cluster = new Cluster(h, store, redis, args);
    if (s3) {
      cluster.s3 = await S3Server.start();
      h.onCleanup(() => cluster.s3.close());
    }
    for (let i = 0; i < nodes; i += 1) await cluster.startNode();
    return cluster;
  }

  constructor(h, store, redis, args) {
    this.h = h;
    this.store = store;
    this.redis = redis;
    this.args = args;
    this.nodes = [];  // {url, port, proc, dir, stderr}
    this.s3 = null;
  }

  nodeArgs() {
    const blobs = this.s3 ? ['--blobs', `s3://${this.s3.bucket}`] : [];
    return ['--store', this.store, '--bus', this.redis.url, ...blobs, ...this.args];
  }

  async startNode() {
    const dir = await this.h.tempDir();
    const env = this.s3 ? this.s3.env : {};
    const node = { ...(await this.h.startServer(dir, { args: this.nodeArgs(), env })), dir };
    this.nodes.push(node);
    return node;
  }

  async admin(...argv) {
    const { stdout } = await execFileP(GENQ, ['admin', ...argv, '--store', this.store]);
    return JSON.parse(stdout);
  }

  createClient(name = 'cluster-test') { return this.admin('create-client', '--name', name); }

  // A `genq worker` (synthetic backend) long-polling on `url`.
  async startWorker(url, { stepDelayMs = 50, args = [] } = {}) {
    const { token } = await this.admin('create-worker-token');
    const proc = spawn(GENQ, ['worker', '--server', url, '--backend', 'synthetic', '--step-delay-ms', String(stepDelayMs),
      ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GENQ_WORKER_TOKEN: token } });
    proc.stderr.resume();
    this.h.processes.push(proc);
    return proc;
  }
}

// GET request-status on `url`: the data object.
export async function statusOn(url, apiKey, id) {
  const res = await fetch(`${url}/api/v1/client/request-status/${id}`, { headers: { Authorization: `Bearer ${apiKey}` } });
  if (res.status !== 200) throw new Error(`request-status on ${url} answered ${res.status}`);
  return (await res.json()).data;
}
