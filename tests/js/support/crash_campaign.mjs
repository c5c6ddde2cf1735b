// The crash campaign: genq under mixed load (submits, synthetic workers claiming,
// reporting progress and completing, webhooks to a receiver that sometimes fails,
// pusher-js subscribers, status polling) while the server is killed with SIGKILL at
// random moments and restarted on the same data directory and port, and workers are
// killed too. At the end it checks what clients were promised:
//   - every acknowledged submit (a 200 with a request_id) exists and reaches a final status;
//   - each job ends once as clients see it: polling, WebSocket events and webhooks show
//     one and the same final status, and none of them ever shows another one later;
//   - every delivery of a job's final webhook, retries included, carries one webhook-id;
//   - nothing is left pending or processing once the load stops (leases expire, requeue).
// Used by tests/js/crash_campaign.test.mjs (3 kills) and scripts/crash-campaign.mjs
// (the long form). Processes are killed by pid only.
import { appendFileSync } from 'node:fs';
import Pusher from 'pusher-js';
import { APP, Harness, pusherFlags, seedOptions, waitFor } from './harness.mjs';
import { WebhookReceiver } from './webhook_receiver.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const FINAL = new Set(['done', 'error']);
// The webhook events that end a job, and the status each means.
const FINAL_EVENTS = { 'job.completed': 'done', 'job.failed': 'error' };

// A random integer in [low, high], from a seeded generator so a failing run can be replayed.
function rng(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 0x100000000;
  };
  return { next, between: (low, high) => low + Math.floor(next() * (high - low + 1)) };
}

export async function runCrashCampaign({
  kills = 3,            // server SIGKILLs
  workerKills = 1,      // worker SIGKILLs, spread over the server kills
  workers = 2,
  submitters = 3,       // concurrent submit loops
  submitGapMs = 40,     // pause of each loop between submits
  loadMs = [600, 1500], // load between two kills, random in this range
  downMs = [0, 300],    // how long the server stays dead
  leaseMs = 1000,
  drainTimeoutMs = 45000, // for the backlog to drain
  stallMs = 30000,      // without any job ending: stuck
  seed = Date.now(),
  log = () => {},
  workerLog,            // a file for the workers' stderr (diagnosis), if given
} = {}) {
  const random = rng(seed);
  const started = Date.now();
  const note = (line) => log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${line}`);
  const h = new Harness();
  const figures = { seed, kills: 0, workerKills: 0, acknowledged: 0, submitErrors: 0, jobsInStore: 0, done: 0, error: 0,
    wsFinalSeen: 0, wsRepeatedFinals: 0, wsSubscriptions: 0, wsSubscriptionErrors: 0, webhookFinalDelivered: 0, webhookRequests: 0, webhookRetries: 0, polls: 0, violations: [] };
  const violation = (text) => { if (figures.violations.length < 50) figures.violations.push(text); };
  const stopping = { load: false, done: false };
  const pushers = [];
  try {
    const dir = await h.tempDir();
    const client = await h.createClient(dir);
    // The first attempt of some deliveries fails, so retries happen; later attempts succeed.
    const receiver = await new WebhookReceiver({
      secret: client.webhook_secret,
      respond: (_, attempt) => (attempt === 1 && random.next() < 0.25 ? 500 : 200),
    }).listen();
    h.onCleanup(() => receiver.close());

    const args = [...pusherFlags(), '--lease-ms', String(leaseMs), '--max-attempts', '50',
      '--webhook-allow-http', '--webhook-allow-private', '--webhook-retry-scale', '0.001'];
    let server = await h.startServer(dir, { args });
    const { port, url } = server;
    const listen = `127.0.0.1:${port}`;

    // Workers: genq's own, on the synthetic backend (claims, progress, uploads, completions).
    const workerProcs = [];
    const startWorker = async () => {
      const proc = await h.startWorker(url, dir, { stepDelayMs: 20 });
      const n = workerProcs.length + figures.workerKills;
      if (workerLog) proc.stderr.on('data', (d) => appendFileSync(workerLog, `[${Date.now() - started} ms worker ${n}] ${d}`));
      workerProcs.push(proc);
      return proc;
    };
    for (let i = 0; i < workers; i += 1) await startWorker();

    // What clients see, per request_id: statuses in the order each channel showed them.
    const seen = new Map();
    const record = (id) => {
      if (!seen.has(id)) seen.set(id, { polled: [], ws: [[], []] });
      return seen.get(id);
    };

    // Two pusher-js subscribers on the client's private channel; they reconnect by
    // themselves. A subscription whose authorisation failed (the server died under it)
    // is not retried by pusher-js until the next reconnection, so it is made again here,
    // as an application would.
    const channelName = `private-client.${client.client_id}`;
    for (let i = 0; i < 2; i += 1) {
      const pusher = new Pusher(APP.key, seedOptions(port, url, client.api_key));
      pushers.push(pusher);
      const subscribe = () => {
        const channel = pusher.subscribe(channelName);
        channel.unbind();
        channel.bind('request.status.updated', (data) => record(data.request_id).ws[i].push(data.status));
        channel.bind('pusher:subscription_succeeded', () => { figures.wsSubscriptions += 1; });
        channel.bind('pusher:subscription_error', () => {
          figures.wsSubscriptionErrors += 1;
          setTimeout(() => {
            if (stopping.done) return;
            pusher.unsubscribe(channelName);
            subscribe();
          }, 300);
        });
      };
      subscribe();
    }

    const headers = { Authorization: `Bearer ${client.api_key}`, 'Content-Type': 'application/json' };
    const acknowledged = [];
    const submitLoop = async () => {
      while (!stopping.load) {
        try {
          const res = await fetch(`${url}/api/v1/client/txt2img`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ model: 'Flux1schnell', prompt: 'crash', width: 256, height: 256, steps: 3,
              webhook_url: receiver.url() }),
          });
          const body = await res.json();
          if (res.status === 200 && body?.data?.request_id) {
            acknowledged.push(body.data.request_id);
            record(body.data.request_id);
          } else {
            figures.submitErrors += 1;
          }
        } catch {
          figures.submitErrors += 1;  // the server died under the request: not acknowledged
          await sleep(50);
        }
        await sleep(submitGapMs);
      }
    };

    const poll = async (id) => {
      try {
        const res = await fetch(`${url}/api/v1/client/request-status/${id}`, { headers });
        const body = await res.json();
        figures.polls += 1;
        if (res.status === 404) return 'missing';
        if (res.status !== 200) return null;
        record(id).polled.push(body.data.status);
        return body.data.status;
      } catch {
        return null;  // the server is down
      }
    };
    const pollLoop = async () => {
      while (!stopping.load) {
        if (acknowledged.length) await poll(acknowledged[random.between(0, acknowledged.length - 1)]);
        await sleep(15);
      }
    };

    const loops = [...Array.from({ length: submitters }, submitLoop), pollLoop(), pollLoop()];

    // The campaign: load, SIGKILL, restart on the same port and data directory.
    const workerKillAt = new Set(Array.from({ length: workerKills }, (_, i) => Math.floor(((i + 1) * kills) / (workerKills + 1))));
    for (let k = 0; k < kills; k += 1) {
      await sleep(random.between(...loadMs));
      const exited = new Promise((r) => server.proc.once('exit', r));
      server.proc.kill('SIGKILL');
      await exited;
      figures.kills += 1;
      if (workerKillAt.has(k)) {
        const victim = workerProcs.splice(random.between(0, workerProcs.length - 1), 1)[0];
        const gone = new Promise((r) => victim.once('exit', r));
        victim.kill('SIGKILL');
        await gone;
        figures.workerKills += 1;
      }
      await sleep(random.between(...downMs));
      server = await h.startServer(dir, { listen, args });
      if (workerProcs.length < workers) await startWorker();  // a worker needs the server to take its token
      note(`kill ${k + 1}/${kills}: ${acknowledged.length} acknowledged so far`);
    }
    await sleep(random.between(...loadMs));
    stopping.load = true;
    await Promise.all(loops);
    figures.acknowledged = acknowledged.length;
    note(`load stopped: ${acknowledged.length} acknowledged, ${figures.submitErrors} submits failed`);

    const listTotal = async (status) => {
      const query = status ? `?status=${status}&per_page=1` : '?per_page=1';
      const res = await fetch(`${url}/api/v1/client/jobs${query}`, { headers });
      const body = await res.json();
      return body.meta.total;
    };
    // Every acknowledged job exists and ends.
    const finalOf = new Map();
    let lastNote = Date.now();
    let lastProgress = Date.now();
    let finalCount = 0;
    await waitFor(async () => {
      // A backlog drains at the workers' pace; a job that no longer moves is stuck.
      if (finalOf.size > finalCount) {
        finalCount = finalOf.size;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > stallMs) {
        throw new Error(`no job ended for ${stallMs} ms`);
      }
      if (Date.now() - lastNote > 10000) {
        lastNote = Date.now();
        note(`${finalOf.size} of ${acknowledged.length} final; ${await listTotal('pending')} pending, ` +
          `${await listTotal('processing')} processing; workers alive: ${workerProcs.filter((p) => p.exitCode === null).length}`);
      }
      for (const id of acknowledged) {
        if (finalOf.has(id)) continue;
        const status = await poll(id);
        if (status === 'missing') {
          violation(`acknowledged job ${id} does not exist`);
          finalOf.set(id, 'missing');
        } else if (FINAL.has(status)) {
          finalOf.set(id, status);
        }
      }
      return finalOf.size === acknowledged.length;
    }, { timeoutMs: drainTimeoutMs, message: 'every acknowledged job to reach a final status' }).catch((error) => {
      violation(`${acknowledged.length - finalOf.size} acknowledged jobs not final: ${error.message}`);
    });

    note('every acknowledged job final');
    // Nothing stuck: the store holds no job pending or processing (jobs committed but
    // unanswered when the server died included), and how many jobs it holds.
    await waitFor(async () => (await listTotal('pending')) === 0 && (await listTotal('processing')) === 0,
      { timeoutMs: drainTimeoutMs, message: 'no job pending or processing' }).catch(async () => {
      violation(`stuck: ${await listTotal('pending')} pending, ${await listTotal('processing')} processing`);
    });
    figures.jobsInStore = await listTotal();
    if (figures.jobsInStore < acknowledged.length) violation(`the store holds ${figures.jobsInStore} jobs, fewer than acknowledged`);

    note('nothing pending or processing');
    // Every final webhook is delivered (the outbox survives the kills).
    const finalHooks = (id) => receiver.requests.filter((r) => r.json?.data?.job_request_id === id && FINAL_EVENTS[r.event]);
    await waitFor(() => acknowledged.every((id) => finalHooks(id).some((r) => r.status === 200)),
      { timeoutMs: drainTimeoutMs, message: 'every final webhook delivered' }).catch(() => {
      const missing = acknowledged.filter((id) => !finalHooks(id).some((r) => r.status === 200));
      violation(`${missing.length} jobs without a delivered final webhook, e.g. ${missing.slice(0, 3).join(', ')}`);
    });
    note('every final webhook delivered');

    // Each job ends once, the same way for every client.
    for (const id of acknowledged) {
      const final = finalOf.get(id);
      if (!FINAL.has(final)) continue;
      figures[final] += 1;
      const views = record(id);
      const polledFinals = views.polled.filter((s) => FINAL.has(s));
      if (polledFinals.some((s) => s !== final)) violation(`${id}: polling showed ${polledFinals} then ${final}`);
      const firstFinal = views.polled.findIndex((s) => FINAL.has(s));
      if (firstFinal >= 0 && views.polled.slice(firstFinal).some((s) => s !== final)) {
        violation(`${id}: polling went from final to ${views.polled.slice(firstFinal)}`);
      }
      for (const events of views.ws) {
        const wsFinals = events.filter((s) => FINAL.has(s));
        if (wsFinals.some((s) => s !== final)) violation(`${id}: WebSocket said ${wsFinals}, polling ${final}`);
        // The same end announced again (a re-published event) is counted, not refused.
        if (wsFinals.length > 1) figures.wsRepeatedFinals += 1;
      }
      if (views.ws[0].some((s) => FINAL.has(s))) figures.wsFinalSeen += 1;
      const hooks = finalHooks(id);
      const hookStatuses = new Set(hooks.map((r) => FINAL_EVENTS[r.event]));
      if (hookStatuses.size > 1 || (hookStatuses.size === 1 && !hookStatuses.has(final))) {
        violation(`${id}: webhooks said ${[...hookStatuses]}, polling ${final}`);
      }
      const ids = new Set(hooks.map((r) => r.id));
      if (ids.size > 1) violation(`${id}: its final webhook came with ${ids.size} different webhook-ids`);
      if (hooks.some((r) => r.status === 200)) figures.webhookFinalDelivered += 1;
    }
    figures.webhookRequests = receiver.requests.length;
    const perId = new Map();
    for (const r of receiver.requests) perId.set(r.id, (perId.get(r.id) ?? 0) + 1);
    figures.webhookRetries = [...perId.values()].reduce((sum, n) => sum + n - 1, 0);
    const unsigned = receiver.requests.filter((r) => r.standardError || r.deapiError);
    if (unsigned.length) violation(`${unsigned.length} webhook requests failed the signature checks`);
    return figures;
  } finally {
    stopping.load = true;
    stopping.done = true;
    for (const p of pushers) p.disconnect();
    await h.cleanup();
  }
}

// The campaign's figures as the lines a person reads.
export function describeFigures(f) {
  return [
    `seed ${f.seed}: ${f.kills} server kills and ${f.workerKills} worker kills survived`,
    `${f.acknowledged} submits acknowledged (${f.submitErrors} failed with the server), ${f.jobsInStore} jobs in the store ` +
      `(${f.jobsInStore - f.acknowledged} committed but never answered: the server died first)`,
    `${f.done} done, ${f.error} error; ${f.polls} status polls`,
    `final status over WebSocket seen for ${f.wsFinalSeen} of ${f.acknowledged} (events while the server is down are lost; polling and webhooks are not); ${f.wsRepeatedFinals} ends announced twice, always the same`,
    `pusher-js: ${f.wsSubscriptions} subscriptions made (2 at the start, again after each reconnection), ${f.wsSubscriptionErrors} failed and were made again`,
    `final webhook delivered for ${f.webhookFinalDelivered} of ${f.acknowledged}; ${f.webhookRequests} webhook requests, ${f.webhookRetries} of them retries`,
    f.violations.length ? `VIOLATIONS:\n  ${f.violations.join('\n  ')}` : 'no violation',
  ].join('\n');
}
