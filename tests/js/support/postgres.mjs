// Databases for Node tests on a real PostgreSQL: the run's cluster when
// GENQ_TEST_POSTGRES_PORT names one (scripts/run-tests.sh starts it), else one this
// process starts with the genq_test_postgres tool from the build (stopped by pid at
// exit). Each test takes a fresh database and drops it in cleanup.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GENQ, waitFor } from './harness.mjs';

const execFileP = promisify(execFile);
const PG_BIN = process.env.GENQ_PG_BIN || '/usr/lib/postgresql/15/bin';
let ownCluster = null;  // {port, proc} when this process started one
let created = 0;

async function clusterPort() {
  if (process.env.GENQ_TEST_POSTGRES_PORT) return Number(process.env.GENQ_TEST_POSTGRES_PORT);
  if (ownCluster) return ownCluster.port;
  const tool = join(dirname(GENQ), 'tests', 'genq_test_postgres');
  if (!existsSync(tool)) throw new Error(`no PostgreSQL for the tests: set GENQ_TEST_POSTGRES_PORT or build ${tool}`);
  const proc = spawn(tool, [], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  process.once('exit', () => proc.kill('SIGTERM'));
  const port = await waitFor(() => Number(out.match(/^port (\d+)/m)?.[1]) || false,
    { timeoutMs: 90000, message: 'genq_test_postgres to print its port' });
  // The cluster must not keep this process alive once its tests are done: the 'exit'
  // handler above stops it.
  proc.unref();
  proc.stdout.unref();
  ownCluster = { port, proc };
  return port;
}

async function psql(port, sql) {
  await execFileP(join(PG_BIN, 'psql'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'genq', '-d', 'postgres',
    '-v', 'ON_ERROR_STOP=1', '-c', sql]);
}

// A fresh database; returns its DSN (postgres://genq@127.0.0.1:PORT/NAME). `h`
// (a Harness) drops it in cleanup.
export async function createDatabase(h) {
  const port = await clusterPort();
  const name = `js_${process.pid}_${++created}_${Date.now() % 100000}`;
  await psql(port, `CREATE DATABASE ${name}`);
  h.onCleanup(() => psql(port, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return `postgres://genq@127.0.0.1:${port}/${name}`;
}
