#!/usr/bin/env node
// The crash campaign's long form: genq under mixed load is killed with SIGKILL again and
// again (tests/js/support/crash_campaign.mjs says what runs and what is checked).
//   GENQ_BINARY=build/genq node scripts/crash-campaign.mjs [KILLS] [WORKER_KILLS] [SEED]
// Defaults: 12 server kills, 4 worker kills, a random seed (printed, to replay a run).
// Exits 1 when a guarantee was broken. The figures go into docs/reliability.md.
import { resolve } from 'node:path';

if (!process.env.GENQ_BINARY) process.env.GENQ_BINARY = resolve('build/genq');
const kills = Number(process.argv[2] ?? 12);
const workerKills = Number(process.argv[3] ?? 4);
const seed = Number(process.argv[4] ?? Date.now() % 1e9);
const { runCrashCampaign, describeFigures } = await import('../tests/js/support/crash_campaign.mjs');
const started = Date.now();
const figures = await runCrashCampaign({
  kills, workerKills, seed, loadMs: [800, 3000], drainTimeoutMs: 900000, stallMs: 60000, workerLog: process.env.WORKER_LOG,
  log: (line) => console.log(line),
});
console.log(describeFigures(figures));
console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(figures.violations.length ? 1 : 0);
