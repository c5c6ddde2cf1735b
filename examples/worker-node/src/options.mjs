// Command-line flags of the worker, with the same names and meanings as
// `genq worker`, plus their GENQ_* environment variables. Pure: no I/O.

export const USAGE = `usage: node worker.mjs --server URL --token TOKEN [options]

  --server URL          genq server, e.g. http://127.0.0.1:8080   (GENQ_SERVER)
  --token TOKEN         worker token (genq admin create-worker-token) (GENQ_WORKER_TOKEN)
  --backend NAME        backend that runs the models; only "synthetic" (GENQ_BACKEND)
  --models a,b          models to serve; default all the token allows (GENQ_WORKER_MODELS)
  --concurrency N       jobs run at once, 1-256; default 1          (GENQ_CONCURRENCY)
  --step-delay-ms N     synthetic backend: delay per step; default 200 (GENQ_STEP_DELAY_MS)
  --worker-id ID        name shown in logs and job status; default HOST-PID (GENQ_WORKER_ID)
  --wait-ms N           long-poll wait per claim, 0-60000; default 25000 (GENQ_WAIT_MS)
  --grace-ms N          on SIGTERM, how long running jobs may take to finish before
                        they are handed back; default 20000         (GENQ_GRACE_MS)
  --help                this text
`;

// name → [environment variable, kind, default, bounds]
const FLAGS = {
  server: ['GENQ_SERVER', 'string', undefined],
  token: ['GENQ_WORKER_TOKEN', 'string', undefined],
  backend: ['GENQ_BACKEND', 'string', 'synthetic'],
  models: ['GENQ_WORKER_MODELS', 'list', []],
  concurrency: ['GENQ_CONCURRENCY', 'int', 1, [1, 256]],
  'step-delay-ms': ['GENQ_STEP_DELAY_MS', 'int', 200, [0, 600000]],
  'worker-id': ['GENQ_WORKER_ID', 'string', undefined],
  'wait-ms': ['GENQ_WAIT_MS', 'int', 25000, [0, 60000]],
  'grace-ms': ['GENQ_GRACE_MS', 'int', 20000, [0, 3600000]],
};

export class UsageError extends Error {}

function convert(name, text) {
  const [, kind, , bounds] = FLAGS[name];
  if (kind === 'list') {
    return text.split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (kind === 'int') {
    if (!/^\d+$/.test(text)) throw new UsageError(`--${name}: not a whole number: ${text}`);
    const value = Number(text);
    if (value < bounds[0] || value > bounds[1]) {
      throw new UsageError(`--${name}: ${value} is outside ${bounds[0]}..${bounds[1]}`);
    }
    return value;
  }
  if (text === '') throw new UsageError(`--${name}: empty value`);
  return text;
}

// Returns {server, token, backend, models, concurrency, stepDelayMs, workerId, waitMs,
// graceMs, help}; throws UsageError. Flags win over the environment.
export function parseOptions(argv, env, defaultWorkerId) {
  const raw = {};
  for (const [name, [variable]] of Object.entries(FLAGS)) {
    if (env[variable] !== undefined && env[variable] !== '') raw[name] = env[variable];
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match || !(match[1] in FLAGS)) throw new UsageError(`unknown argument: ${arg}`);
    let value = match[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${match[1]} needs a value`);
      value = argv[++i];
    }
    raw[match[1]] = value;
  }
  const options = {};
  for (const [name, [, , fallback]] of Object.entries(FLAGS)) {
    options[name] = raw[name] !== undefined ? convert(name, raw[name]) : fallback;
  }
  for (const required of ['server', 'token']) {
    if (options[required] === undefined) throw new UsageError(`--${required} is required`);
  }
  if (options.backend !== 'synthetic') {
    throw new UsageError(`--backend: only "synthetic" is built in, not "${options.backend}"`);
  }
  if (!/^https?:\/\//.test(options.server)) throw new UsageError(`--server: not an http(s) URL: ${options.server}`);
  return {
    help: false,
    server: options.server.replace(/\/+$/, ''),
    token: options.token,
    backend: options.backend,
    models: options.models,
    concurrency: options.concurrency,
    stepDelayMs: options['step-delay-ms'],
    workerId: (options['worker-id'] ?? defaultWorkerId).slice(0, 128),
    waitMs: options['wait-ms'],
    graceMs: options['grace-ms'],
  };
}
