// The HTTP side of the worker protocol (docs/worker-protocol.md): one method per
// endpoint, the bearer token on every call, and the retry rule of its "Errors"
// section: network errors and 5xx are retried with backoff (0.5 s doubling to 30 s),
// 409 lease_lost becomes LeaseLost, any other answer outside 2xx a ProtocolError,
// never retried. Holds no per-job state; one client serves every job.
import { setTimeout as sleep } from 'node:timers/promises';

// The job is no longer this worker's: stop at once, discard the output, do not retry.
export class LeaseLost extends Error {
  constructor(jobId) {
    super(`lease lost on job ${jobId}`);
    this.name = 'LeaseLost';
  }
}

// An answer the protocol says not to retry (400, 401, 404, 413, 422, …).
export class ProtocolError extends Error {
  constructor(status, body, what) {
    super(`${what} answered ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.name = 'ProtocolError';
    this.status = status;
    this.body = body;
  }
}

// 0.5 s doubling to 30 s, with a little jitter so a fleet does not reconnect in step.
export class Backoff {
  constructor(firstMs = 500, maxMs = 30000) {
    this.firstMs = firstMs;
    this.maxMs = maxMs;
    this.reset();
  }

  reset() { this.nextMs = this.firstMs; }

  next() {
    const delay = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.maxMs);
    return Math.round(delay * (0.9 + Math.random() * 0.2));
  }
}

// One attempt may not hang forever on a server that accepted and went quiet.
const kCallTimeoutMs = 30000;
// A claim is held up to wait_ms by design; allow that much more before giving up.
const kClaimSlackMs = 15000;

export class ProtocolClient {
  // log(line) reports retries; the token never appears in it.
  constructor({ server, token, log }) {
    this.server = server;
    this.token = token;
    this.log = log;
  }

  // POST /claim. Resolves with the leased jobs ([] when wait_ms passed idle).
  async claim(request, signal) {
    const answer = await this.#call('POST', '/api/v1/worker/claim', {
      json: request, signal, what: 'claim', timeoutMs: (request.wait_ms ?? 25000) + kClaimSlackMs,
    });
    return Array.isArray(answer?.jobs) ? answer.jobs : [];
  }

  heartbeat(job, signal) {
    return this.#call('POST', `${jobPath(job)}/heartbeat`, { json: { lease_id: job.lease_id }, signal, job, what: 'heartbeat' });
  }

  // progress: 0-100; preview: a Buffer holding a JPEG, or undefined.
  progress(job, progress, preview, signal) {
    const json = { lease_id: job.lease_id, progress };
    if (preview) json.preview = preview.toString('base64');
    return this.#call('POST', `${jobPath(job)}/progress`, { json, signal, job, what: 'progress' });
  }

  // body: a Buffer; sent with its Content-Length.
  upload(job, body, contentType, signal) {
    const path = `${jobPath(job)}/result?lease_id=${encodeURIComponent(job.lease_id)}`;
    return this.#call('PUT', path, { body, contentType, signal, job, what: 'result upload' });
  }

  complete(job, result, signal) {
    const json = { lease_id: job.lease_id };
    if (result !== undefined) json.result = result;
    return this.#call('POST', `${jobPath(job)}/complete`, { json, signal, job, what: 'complete' });
  }

  // Completes many jobs in one request (POST /api/v1/worker/complete, 1 to 64).
  // items: [{ job, result }]; resolves with one entry per item, in order:
  // { job_id, status: 'done' } or { job_id, status: 'refused', http_status, message, code? }.
  completeMany(items, signal) {
    const jobs = items.map(({ job, result }) => {
      const entry = { job_id: job.job_id, lease_id: job.lease_id };
      if (result !== undefined) entry.result = result;
      return entry;
    });
    return this.#call('POST', '/api/v1/worker/complete', { json: { jobs }, signal, what: 'batch complete' })
      .then((answer) => answer.jobs);
  }

  // errorCode: deAPI's failure code (INVALID_INPUT when the job's input is at fault).
  fail(job, error, retryable, signal, errorCode = 'PROCESSING_ERROR') {
    const json = { lease_id: job.lease_id, error: String(error).slice(0, 2000), error_code: errorCode, retryable };
    return this.#call('POST', `${jobPath(job)}/fail`, { json, signal, job, what: 'fail' });
  }

  // Gives the job back unjudged (stopping, no free slot): the attempt is not counted.
  release(job, signal) {
    return this.#call('POST', `${jobPath(job)}/release`, { json: { lease_id: job.lease_id }, signal, job, what: 'release' });
  }

  // GET of a signed input URL: no token, same retry rule. Resolves with a Buffer.
  async download(url, signal) {
    return this.#retrying('input download', signal, async (attemptSignal) => {
      const response = await fetch(url, { signal: attemptSignal });
      if (response.ok) return { done: Buffer.from(await response.arrayBuffer()) };
      const text = await response.text();
      if (response.status >= 500) return { retry: `${response.status} ${text.slice(0, 200)}` };
      throw new ProtocolError(response.status, text.slice(0, 500), 'input download');
    });
  }

  async #call(method, path, { json, body, contentType, signal, job, what, timeoutMs = kCallTimeoutMs }) {
    const headers = { Authorization: `Bearer ${this.token}` };
    // The submit's request id: the server's lines about this call join the client's.
    if (job?.submit_request_id) headers['X-Request-Id'] = job.submit_request_id;
    if (json !== undefined) {
      body = JSON.stringify(json);
      headers['Content-Type'] = 'application/json';
    } else if (contentType) {
      headers['Content-Type'] = contentType;
    }
    return this.#retrying(what, signal, async (attemptSignal) => {
      const response = await fetch(this.server + path, { method, headers, body, signal: attemptSignal });
      const text = await response.text();
      let answer = text;
      try { answer = text ? JSON.parse(text) : {}; } catch { /* not JSON: keep the text for the message */ }
      if (response.ok) return { done: answer };
      if (response.status === 409 && answer?.code === 'lease_lost') throw new LeaseLost(job?.job_id);
      if (response.status >= 500) return { retry: `${response.status} ${text.slice(0, 200)}` };
      throw new ProtocolError(response.status, answer, what);
    }, timeoutMs);
  }

  // Runs attempt(signal) until it returns {done}; {retry: reason} and network errors
  // wait out the backoff. Only `signal` (the caller's) ends the retries early.
  async #retrying(what, signal, attempt, timeoutMs = kCallTimeoutMs) {
    const backoff = new Backoff();
    for (;;) {
      signal?.throwIfAborted();
      const attemptSignal = signal
        ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs);
      let reason;
      try {
        const outcome = await attempt(attemptSignal);
        if (outcome.done !== undefined) return outcome.done;
        reason = outcome.retry;
      } catch (error) {
        if (error instanceof LeaseLost || error instanceof ProtocolError) throw error;
        if (signal?.aborted) throw signal.reason ?? error;
        reason = error.cause?.code ?? error.cause?.message ?? error.message;
      }
      const delay = backoff.next();
      this.log(`${what}: ${reason}; retrying in ${delay} ms`);
      await sleep(delay, undefined, { signal });
    }
  }
}

function jobPath(job) {
  return `/api/v1/worker/jobs/${encodeURIComponent(job.job_id)}`;
}
