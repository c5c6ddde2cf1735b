// A real HTTP receiver for genq's webhooks, as a customer would write one. Every
// request is checked twice, independently:
//   1. with the npm `standardwebhooks` package (webhook-id / webhook-timestamp /
//      webhook-signature), exactly as its README shows;
//   2. with deAPI's documented check, written here from its description: HMAC-SHA256
//      over "{X-DeAPI-Timestamp}.{raw body}" keyed by the secret's UTF-8 bytes, hex,
//      compared in constant time after "sha256=", timestamps older or newer than
//      300 s refused.
// Each body and its headers are also checked against docs/openapi.json's `webhooks`.
// The receiver answers what `respond` says, so tests can play failing receivers.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { checkWebhookRequest } from './openapi_check.mjs';

const TOLERANCE_S = 300;

// deAPI's receiver-side check; throws with the reason when the request is not genuine.
export function verifyDeapi(secret, headers, rawBody) {
  const signature = headers['x-deapi-signature'];
  const timestamp = headers['x-deapi-timestamp'];
  if (typeof signature !== 'string' || !signature.startsWith('sha256=')) throw new Error('missing X-DeAPI-Signature');
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) throw new Error('missing X-DeAPI-Timestamp');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_S) throw new Error('timestamp outside 300 s');
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestamp}.${rawBody}`).digest('hex');
  const given = Buffer.from(signature.slice('sha256='.length), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new Error('X-DeAPI-Signature mismatch');
}

// The Standard Webhooks check; a secret without the whsec_ prefix is used as raw bytes.
export function verifyStandard(secret, headers, rawBody) {
  const webhook = secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(secret, { format: 'raw' });
  return webhook.verify(rawBody, headers);
}

const errorText = (fn) => {
  try {
    fn();
    return null;
  } catch (error) {
    return error.message;
  }
};

export class WebhookReceiver {
  // secret: the signing secret receivers are configured with.
  // respond(request, attempt): status code to answer (or {status, headers}); `attempt`
  // counts requests with the same webhook-id, from 1.
  constructor({ secret, respond = () => 200 }) {
    this.secret = secret;
    this.respond = respond;
    this.requests = [];  // {id, event, headers, body, json, standardError, deapiError, status}
    this.server = createServer((req, res) => this.#handle(req, res));
  }

  async listen(port = 0) {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => { this.server.off('error', reject); resolve(); });
    });
    this.port = this.server.address().port;
    return this;
  }

  url(path = '/hook') { return `http://127.0.0.1:${this.port}${path}`; }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }

  withId(id) { return this.requests.filter((r) => r.id === id); }
  withEvent(event, requestId) {
    return this.requests.filter((r) => r.event === event && (!requestId || r.json?.data?.job_request_id === requestId));
  }

  #handle(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers;
      const id = headers['webhook-id'];
      let json = null;
      try { json = JSON.parse(body); } catch { /* recorded as null */ }
      const attempt = this.requests.filter((r) => r.id === id).length + 1;
      // respond may answer a status code, or {status, headers} (a redirect's Location).
      const answer = this.respond({ headers, body, json }, attempt);
      const status = typeof answer === 'number' ? answer : answer.status;
      const extraHeaders = typeof answer === 'number' ? {} : (answer.headers ?? {});
      this.requests.push({
        id,
        receivedAt: performance.now(),  // ms, monotonic
        event: headers['x-deapi-event'],
        method: req.method,
        path: req.url,
        headers,
        body,
        json,
        status,
        standardError: errorText(() => verifyStandard(this.secret, headers, body)),
        deapiError: errorText(() => verifyDeapi(this.secret, headers, body)),
        // docs/openapi.json's `webhooks`; a problem also fails the harness's cleanup.
        openapiProblems: checkWebhookRequest(headers, body),
      });
      res.writeHead(status, { 'Content-Type': 'text/plain', ...extraHeaders });
      res.end('ok');
    });
  }
}
