// Holds genq's answers to docs/openapi.json: every response a Node test receives from a
// genq server (through the global fetch) must be an operation's documented status, in
// a documented media type, with a body its schema accepts (Ajv, JSON Schema 2020-12,
// strict). A response the document does not describe fails the request that got it,
// so the document cannot drift from the code (docs/api.md, "Machine-readable API").
import { readFileSync, appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const DOCUMENT_PATH = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));
const SCHEMAS_ID = 'https://genq.invalid/openapi/schemas';

// JSON pointer lookup of an internal "#/…" reference.
function resolvePointer(doc, ref) {
  if (!ref.startsWith('#/')) throw new Error(`only internal references are supported: ${ref}`);
  return ref.slice(2).split('/').reduce((node, part) => node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
}

// Follows $ref chains of non-schema objects (responses, parameters, headers).
function deref(doc, node) {
  while (node && node.$ref) node = resolvePointer(doc, node.$ref);
  return node;
}

// The schema with its "#/components/schemas/X" references made absolute, so Ajv finds
// them in the one schema that holds every component.
function absoluteRefs(node) {
  if (Array.isArray(node)) return node.map(absoluteRefs);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')
      ? `${SCHEMAS_ID}#/$defs/${value.slice('#/components/schemas/'.length)}`
      : absoluteRefs(value);
  }
  return out;
}

function makeAjv(doc) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  // OpenAPI's annotation keywords next to JSON Schema's.
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
  ajv.addSchema({ $id: SCHEMAS_ID, $defs: absoluteRefs(doc.components?.schemas ?? {}) });
  return ajv;
}

function compileTemplate(template) {
  const segments = template.split('/').filter(Boolean);
  const source = segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/');
  return { template, regex: new RegExp(`^/${source}$`), literals: segments.filter((s) => !s.startsWith('{')).length };
}

// genq matches paths after dropping doubled and trailing slashes (docs/api.md).
function normalisePath(path) {
  return `/${path.split('/').filter(Boolean).join('/')}`;
}

const mediaType = (contentType) => (contentType ?? '').split(';')[0].trim().toLowerCase();

export class OpenApiChecker {
  constructor(doc = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8'))) {
    this.doc = doc;
    this.ajv = makeAjv(doc);
    this.templates = Object.keys(doc.paths ?? {}).map(compileTemplate);
    this.validators = new Map();
  }

  // The path template of the operation for method + path, the most literal first
  // (`/api/v1/client/models` before `/api/v1/client/{task}`); null when none.
  findOperation(method, path) {
    const lower = method.toLowerCase();
    const candidates = this.templates
      .filter((t) => t.regex.test(normalisePath(path)) && this.doc.paths[t.template][lower])
      .sort((a, b) => b.literals - a.literals);
    if (!candidates.length) return null;
    const template = candidates[0].template;
    return { template, operation: this.doc.paths[template][lower], pathItem: this.doc.paths[template] };
  }

  validator(key, schema) {
    if (!this.validators.has(key)) this.validators.set(key, this.ajv.compile(absoluteRefs(schema)));
    return this.validators.get(key);
  }

  // Problems with one response (empty when the document describes it). `body` is the
  // raw text. A method + path no operation has must be the router's 404 or 405.
  check({ method, path, status, contentType, body }) {
    const found = this.findOperation(method, path);
    let responses;
    let where;
    if (found) {
      responses = found.operation.responses;
      where = `${method.toUpperCase()} ${found.template}`;
    } else {
      responses = this.doc['x-unmatched-responses'];
      where = `${method.toUpperCase()} ${path} (no operation: the router's answer)`;
    }
    const documented = responses?.[String(status)] ?? responses?.[`${String(status)[0]}XX`] ?? responses?.default;
    if (!documented) return [`${where}: status ${status} is not documented`];
    const response = deref(this.doc, documented);
    const content = response.content;
    const type = mediaType(contentType);
    if (!content) {
      return body.length ? [`${where}: status ${status} documents no body, got ${body.length} bytes of ${type}`] : [];
    }
    const entry = content[type] ?? content[`${type.split('/')[0]}/*`] ?? content['*/*'];
    if (!entry) return [`${where}: status ${status} in ${type || 'no media type'} is not documented (${Object.keys(content).join(', ')})`];
    if (!entry.schema || !(type === 'application/json' || type.endsWith('+json'))) return [];
    let value;
    try {
      value = JSON.parse(body);
    } catch {
      return [`${where}: status ${status} body is not JSON: ${body.slice(0, 200)}`];
    }
    const validate = this.validator(`${where} ${status} ${type}`, entry.schema);
    if (validate(value)) return [];
    return validate.errors.map((e) => `${where} ${status}: body${e.instancePath} ${e.message}` +
      (e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : '') +
      ` — ${JSON.stringify(value).slice(0, 300)}`);
  }

  // Problems with one webhook request genq sent (lower-case `headers`, raw `body`):
  // the `webhooks` entry is the event's (X-DeAPI-Event), or the second dialect's
  // callback when the body is a statusTask document.
  checkWebhook({ headers, body }) {
    let value;
    try {
      value = JSON.parse(body);
    } catch {
      return [`webhook body is not JSON: ${body.slice(0, 200)}`];
    }
    const name = value?.data?.taskId !== undefined ? 'taskCallback' : headers['x-deapi-event'];
    const operation = this.doc.webhooks?.[name]?.post;
    if (!operation) return [`webhook ${name}: not documented under webhooks`];
    const problems = [];
    for (const parameter of (operation.parameters ?? []).map((p) => deref(this.doc, p))) {
      if (parameter.in === 'header' && parameter.required && headers[parameter.name.toLowerCase()] === undefined) {
        problems.push(`webhook ${name}: header ${parameter.name} is missing`);
      }
    }
    const validate = this.validator(`webhook ${name}`, operation.requestBody.content['application/json'].schema);
    if (!validate(value)) {
      problems.push(...validate.errors.map((e) => `webhook ${name}: body${e.instancePath} ${e.message}` +
        (e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : '') + ` — ${body.slice(0, 300)}`));
    }
    return problems;
  }
}

// --- Hooks the harness installs --------------------------------------------------------

let checker;
const violations = [];
const sharedChecker = () => (checker ??= new OpenApiChecker());

// What the hooks found since the last call; the harness fails a test's cleanup on any,
// so a problem is reported even where a test swallowed the failed fetch.
export function takeViolations() {
  return violations.splice(0);
}

// For the webhook receiver: records problems with a request genq sent.
export function checkWebhookRequest(headers, body) {
  const problems = sharedChecker().checkWebhook({ headers, body });
  violations.push(...problems);
  if (process.env.GENQ_OPENAPI_RECORD) {
    appendFileSync(process.env.GENQ_OPENAPI_RECORD, `${JSON.stringify({ webhook: true, headers, body })}\n`);
  }
  return problems;
}

const genqOrigins = new Set();
const observed = new Set();
let installed = false;

// "METHOD /template STATUS" of every answer checked so far (an unrouted path's as
// "METHOD (unrouted) STATUS").
export function observedAnswers() {
  return observed;
}

// Responses from this origin (a genq server a test started) are checked from now on.
export function checkResponsesFrom(url) {
  genqOrigins.add(new URL(url).origin);
}

function requestMethod(input, init) {
  if (init?.method) return init.method;
  if (typeof input === 'object' && input && 'method' in input) return input.method;
  return 'GET';
}

// Wraps globalThis.fetch once: a genq answer the document does not describe rejects
// the fetch with every problem found. GENQ_OPENAPI_RECORD=FILE also appends each
// checked exchange to FILE as a JSON line (to refresh the document's examples).
export function installFetchCheck() {
  if (installed) return;
  installed = true;
  const original = globalThis.fetch;
  globalThis.fetch = async function checkedFetch(input, init) {
    const response = await original(input, init);
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (!genqOrigins.has(url.origin)) return response;
    const method = requestMethod(input, init).toUpperCase();
    const contentType = response.headers.get('content-type');
    // An event stream has no end to wait for: its media type is checked, not its body.
    const streamed = mediaType(contentType) === 'text/event-stream';
    const body = method === 'HEAD' || streamed ? '' : await response.clone().text();
    const exchange = { method, path: url.pathname, status: response.status, contentType, body };
    if (process.env.GENQ_OPENAPI_RECORD) {
      appendFileSync(process.env.GENQ_OPENAPI_RECORD, `${JSON.stringify({ ...exchange, query: url.search })}\n`);
    }
    const problems = sharedChecker().check(exchange);
    const found = sharedChecker().findOperation(method, url.pathname);
    observed.add(`${method} ${found ? found.template : '(unrouted)'} ${response.status}`);
    if (problems.length) {
      // One entry per answer: a body that fits no branch of an anyOf gives an error per branch.
      violations.push(problems.join('\n    '));
      throw new Error(`genq's answer is not what docs/openapi.json documents:\n  ${problems.join('\n  ')}`);
    }
    return response;
  };
}
