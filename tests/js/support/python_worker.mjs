// Starting the Python worker (workers/python, `python3 -m genq_worker`) and the
// stand-in inference servers (support/standins/*.py) as child processes of a test,
// recorded in the Harness so cleanup() stops them by pid; and reading a job's status.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { GENQ } from './harness.mjs';

const execFileP = promisify(execFile);
export const PYTHON_WORKER_DIR = fileURLToPath(new URL('../../../workers/python', import.meta.url));
const STANDINS = fileURLToPath(new URL('./standins/', import.meta.url));
export const PYTHON = process.env.GENQ_PYTHON || 'python3';

export async function createWorkerToken(dataDir) {
  const { stdout } = await execFileP(GENQ, ['admin', 'create-worker-token', '--data', dataDir]);
  return JSON.parse(stdout).token;
}

// Starts `python3 -m genq_worker --server URL ...args` with the token in
// GENQ_WORKER_TOKEN (never on the command line). proc.log() is its stderr so far,
// proc.exited resolves with {code, signal}.
export async function startPythonWorker(h, url, dataDir, args, { token, env: extra = {} } = {}) {
  const env = {
    ...process.env, PYTHONDONTWRITEBYTECODE: '1', GENQ_WORKER_TOKEN: token ?? await createWorkerToken(dataDir), ...extra,
  };
  const proc = spawn(PYTHON, ['-m', 'genq_worker', '--server', url, ...args],
    { cwd: PYTHON_WORKER_DIR, env, stdio: ['ignore', 'ignore', 'pipe'] });
  h.processes.push(proc);
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  proc.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  proc.log = () => log;
  return proc;
}

// Starts a stand-in server (support/standins/NAME.py); resolves with
// {url, calls(), made()}: the calls it received and the SHA-256 of the files it made.
export async function startStandin(h, name) {
  const proc = spawn(PYTHON, [`${STANDINS}${name}.py`], {
    cwd: STANDINS, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  h.processes.push(proc);
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`stand-in ${name} did not start: ${err}`)), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`stand-in ${name} exited ${code}: ${err}`)); });
  });
  proc.removeAllListeners('exit');
  const read = async (what) => (await fetch(`${url}/_standin/${what}`)).json();
  return { url, calls: () => read('calls'), made: () => read('made'), stderr: () => err };
}

export async function jobStatus(url, apiKey, id) {
  const response = await fetch(`${url}/api/v1/client/request-status/${id}`, {
    headers: { Authorization: `Bearer ${apiKey}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()).data;
}

// Submits a job (JSON, or multipart when `files` names any); resolves with its id.
export async function submit(url, apiKey, task, fields, files = {}) {
  let body;
  const headers = { Authorization: `Bearer ${apiKey}` };
  if (Object.keys(files).length === 0) {
    body = JSON.stringify(fields);
    headers['Content-Type'] = 'application/json';
  } else {
    body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, String(value));
    for (const [name, [bytes, type, filename]] of Object.entries(files)) {
      body.append(name, new Blob([bytes], { type }), filename);
    }
  }
  const response = await fetch(`${url}/api/v1/client/${task}`, { method: 'POST', headers, body });
  const answer = await response.json();
  assert.equal(response.status, 200, JSON.stringify(answer));
  return answer.data.request_id;
}
