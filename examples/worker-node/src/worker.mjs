// The worker loop: claims jobs by long-poll while it has free slots (never more than
// --concurrency at once), runs each on the backend while keeping its lease alive,
// uploads and completes, and on stop() finishes or hands back what it holds.
// Single-threaded like all of Node: no locks, but every await is a point where a
// lease may be lost or a stop may arrive, and the code checks for both there.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LeaseLost } from './client.mjs';
import { InvalidInput } from './media.mjs';

// Why a job was taken off the backend before it finished: the worker is stopping.
class HandBack extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'HandBack';
  }
}

// A hand-back or a failure report gets this long; after that the lease simply expires.
const kLastWordMs = 10000;

// One leased job from claim to complete/fail. Owned by the Worker's run table.
class JobRun {
  constructor(job, { client, backend, log }) {
    this.job = job;
    this.client = client;
    this.backend = backend;
    this.log = log;
    this.controller = new AbortController();
    // The lease is extended by every progress and heartbeat; beat at least this often.
    this.heartbeatMs = Math.max(50, job.heartbeat_ms ?? Math.floor((job.lease_ms ?? 30000) / 3));
    this.beatTimer = undefined;
    this.finished = false;
    this.done = this.#run();
  }

  // Stop the backend and give the job back to the queue (release).
  handBack(reason) {
    if (!this.controller.signal.aborted) this.controller.abort(new HandBack(reason));
  }

  async #run() {
    const { job, client, log } = this;
    const signal = this.controller.signal;
    log(`job ${job.job_id} leased: ${job.task} on ${job.model}, attempt ${job.attempt}/${job.max_attempts}`);
    this.#scheduleBeat();
    let workDir;
    try {
      workDir = await mkdtemp(join(tmpdir(), 'genq-worker-node-'));
      const output = await this.backend.run(job, {
        signal,
        workDir,
        progress: (percent, jpeg) => this.#progress(percent, jpeg),
        download: (url) => client.download(url, signal),
      });
      signal.throwIfAborted();
      if (output.file) {
        await client.upload(job, output.file.bytes, output.file.contentType, signal);
      }
      await client.complete(job, output.result, signal);
      log(`job ${job.job_id} done`);
    } catch (error) {
      await this.#settle(error);
    } finally {
      this.finished = true;
      clearTimeout(this.beatTimer);
      if (workDir) await rm(workDir, { recursive: true, force: true });
    }
  }

  // After anything but success: a lost lease is dropped silently, a stop hands the
  // job back, anything else is the model failing and ends the job in error.
  async #settle(error) {
    const { job, client, log } = this;
    const reason = this.controller.signal.reason;
    if (error instanceof LeaseLost || reason instanceof LeaseLost) {
      log(`job ${job.job_id}: lease lost (cancelled or requeued); output discarded`);
      return;
    }
    const handingBack = reason instanceof HandBack;
    const message = handingBack ? `worker stopped before finishing (${reason.message})` : error.message;
    if (!handingBack) log(`job ${job.job_id} failed: ${message}`);
    try {
      const answer = handingBack
        ? await client.release(job, AbortSignal.timeout(kLastWordMs))
        : await client.fail(job, message, false, AbortSignal.timeout(kLastWordMs),
          error instanceof InvalidInput ? 'INVALID_INPUT' : 'PROCESSING_ERROR');
      if (handingBack) log(`job ${job.job_id} handed back: now ${answer?.status}`);
    } catch (failError) {
      if (!(failError instanceof LeaseLost)) {
        log(`job ${job.job_id}: could not report (${failError.message}); its lease will expire`);
      }
    }
  }

  async #progress(percent, jpeg) {
    const value = Math.round(Math.min(Math.max(percent, 0), 100) * 100) / 100;
    try {
      await this.client.progress(this.job, value, jpeg, this.controller.signal);
    } catch (error) {
      if (error instanceof LeaseLost) this.#lost(error);
      throw error;
    }
    this.#scheduleBeat();
  }

  #scheduleBeat() {
    clearTimeout(this.beatTimer);
    if (this.finished) return;
    this.beatTimer = setTimeout(() => this.#beat(), this.heartbeatMs);
  }

  async #beat() {
    try {
      await this.client.heartbeat(this.job, this.controller.signal);
    } catch (error) {
      if (error instanceof LeaseLost) return this.#lost(error);
      if (this.controller.signal.aborted) return undefined;
      this.log(`job ${this.job.job_id}: heartbeat failed: ${error.message}`);
    }
    return this.#scheduleBeat();
  }

  #lost(error) {
    if (!this.controller.signal.aborted) this.controller.abort(error);
  }
}

export class Worker {
  // options: {workerId, models, concurrency, waitMs, graceMs}
  constructor({ client, backend, options, log }) {
    this.client = client;
    this.backend = backend;
    this.options = options;
    this.log = log;
    this.runs = new Map();  // job_id → JobRun; its size never exceeds options.concurrency
    this.stopping = false;
    this.claimController = undefined;
    this.wake = undefined;  // resolves the loop's wait for a free slot or a stop
    this.graceTimer = undefined;
    this.refusals = new Set();  // hand-backs of jobs beyond the cap, still in flight
  }

  // Claims and runs jobs until stop(); resolves once every job is settled. Rejects
  // on an answer no retry can fix (401 token, 422 models), after settling the rest.
  async run() {
    let fatal;
    while (!this.stopping) {
      const free = this.options.concurrency - this.runs.size;
      if (free <= 0) {
        await new Promise((resolve) => { this.wake = resolve; });
        continue;
      }
      const request = { worker_id: this.options.workerId, max_jobs: Math.min(free, 32), wait_ms: this.options.waitMs };
      if (this.options.models.length > 0) request.models = this.options.models;
      this.claimController = new AbortController();
      let jobs;
      try {
        jobs = await this.client.claim(request, this.claimController.signal);
      } catch (error) {
        if (this.stopping) break;
        fatal = error;
        break;
      } finally {
        this.claimController = undefined;
      }
      for (const job of jobs) this.#start(job);
    }
    if (fatal) {
      this.log(`cannot claim: ${fatal.message}`);
      for (const run of this.runs.values()) run.handBack('the server refused claims');
    }
    await Promise.all([...this.runs.values()].map((run) => run.done));
    await Promise.all([...this.refusals]);
    clearTimeout(this.graceTimer);
    if (fatal) throw fatal;
  }

  // First call: claim nothing more, let running jobs finish for graceMs, then hand
  // them back. A second call hands them back at once.
  stop(why) {
    if (this.stopping) {
      this.log(`${why} again: handing back ${this.runs.size} job(s) now`);
      this.#handBackAll(why);
      return;
    }
    this.stopping = true;
    // A claim abandoned mid-wait may still have leased a job; that job returns to the
    // queue when its lease expires (docs/worker-protocol.md, "Stopping a worker").
    this.claimController?.abort();
    this.wake?.();
    this.log(`${why}: claiming no more; ${this.runs.size} job(s) running, ` +
      `handed back if not done in ${this.options.graceMs} ms`);
    if (this.runs.size > 0) {
      this.graceTimer = setTimeout(() => this.#handBackAll('grace period over'), this.options.graceMs);
    }
  }

  #handBackAll(reason) {
    for (const run of this.runs.values()) run.handBack(reason);
  }

  #start(job) {
    // Guard the cap even against a server that sends more than max_jobs.
    if (this.runs.size >= this.options.concurrency) {
      this.log(`job ${job.job_id}: no free slot; handing it back`);
      const refusal = this.client.fail(job, 'worker had no free slot', true, AbortSignal.timeout(kLastWordMs))
        .catch((error) => this.log(`job ${job.job_id}: could not hand back (${error.message})`));
      this.refusals.add(refusal);
      refusal.finally(() => this.refusals.delete(refusal));
      return;
    }
    const run = new JobRun(job, { client: this.client, backend: this.backend, log: this.log });
    this.runs.set(job.job_id, run);
    run.done.finally(() => {
      this.runs.delete(job.job_id);
      this.wake?.();
    });
  }
}
