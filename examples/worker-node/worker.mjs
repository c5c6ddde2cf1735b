#!/usr/bin/env node
// A genq worker in plain Node.js, written from docs/worker-protocol.md alone.
// Parses the flags, wires the protocol client, the synthetic backend and the worker
// loop, and turns SIGTERM/SIGINT into a clean stop. Exit codes: 0 stopped cleanly,
// 1 the server refused the worker (bad token, no models), 2 bad command line.
import { hostname } from 'node:os';

import { ProtocolClient } from './src/client.mjs';
import { parseOptions, UsageError, USAGE } from './src/options.mjs';
import { SyntheticBackend } from './src/synthetic.mjs';
import { Worker } from './src/worker.mjs';

function log(line) {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

let options;
try {
  options = parseOptions(process.argv.slice(2), process.env, `${hostname()}-${process.pid}`);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const client = new ProtocolClient({ server: options.server, token: options.token, log });
const backend = new SyntheticBackend({ stepDelayMs: options.stepDelayMs, log });
const worker = new Worker({ client, backend, options, log });
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => worker.stop(signal));
}

const models = options.models.length > 0 ? options.models.join(',') : 'every model the token allows';
log(`worker ${options.workerId} on ${options.server}: ${models}, ${options.concurrency} at a time`);
let code = 0;
try {
  await worker.run();
  log('stopped');
} catch (error) {
  log(`giving up: ${error.message}`);
  code = 1;
}
// Idle keep-alive sockets must not hold the process open.
process.exit(code);
