// The crash campaign's short form (support/crash_campaign.mjs): mixed load while the
// server is killed with SIGKILL 3 times and a worker once; every acknowledged submit
// exists and ends, once, the same for polling, pusher-js and webhooks; a final
// webhook's retries keep its webhook-id; nothing is left pending or processing.
// The long form (>= 10 kills) is scripts/crash-campaign.mjs; docs/reliability.md has its figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCrashCampaign, describeFigures } from './support/crash_campaign.mjs';

test('3 server kills and a worker kill under load: nothing acknowledged is lost, every job ends once', async () => {
  const figures = await runCrashCampaign({ kills: 3, workerKills: 1, log: (line) => console.log(line) });
  console.log(describeFigures(figures));
  assert.deepEqual(figures.violations, [], describeFigures(figures));
  assert.equal(figures.kills, 3);
  assert.ok(figures.acknowledged >= 20, `too little load to show anything: ${figures.acknowledged} submits`);
  assert.equal(figures.done + figures.error, figures.acknowledged);
  assert.equal(figures.webhookFinalDelivered, figures.acknowledged);
});
