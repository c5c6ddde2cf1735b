// docs/openapi.json: linted by @redocly/cli, true to genq's routes in both directions,
// its examples valid against their own schemas, served by genq at /openapi.json, and
// the strict checker every Node test's responses pass through able to fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GENQ, Harness } from './support/harness.mjs';
import { DOCUMENT_PATH, OpenApiChecker, checkResponsesFrom, takeViolations } from './support/openapi_check.mjs';

const execFileP = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const documentText = readFileSync(DOCUMENT_PATH, 'utf8');
const doc = JSON.parse(documentText);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

const operations = () => Object.entries(doc.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ method: m, path, operation: item[m] })));

// Every `Verb::x, "/path"` a route registration in src/genq names.
function routesInSource(dir = join(ROOT, 'src/genq')) {
  const found = new Set();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      for (const r of routesInSource(path)) found.add(r);
    } else if (name.endsWith('.cpp')) {
      for (const m of readFileSync(path, 'utf8').matchAll(/Verb::(get|post|put|delete|patch)_?, "(\/[^"]*)"/g)) {
        found.add(`${m[1]} ${m[2]}`);
      }
    }
  }
  return found;
}

test('redocly lint passes with the checked-in rules (recommended-strict: every finding fails)', async () => {
  const redocly = join(ROOT, 'tests/js/node_modules/.bin/redocly');
  const { stdout, stderr } = await execFileP(redocly, ['lint', '--config', join(ROOT, 'docs/redocly.yaml'),
    '--format', 'summary', DOCUMENT_PATH], { cwd: ROOT, env: { ...process.env, REDOCLY_TELEMETRY: 'off' } })
    .catch((error) => assert.fail(`redocly lint failed:\n${error.stdout}\n${error.stderr}`));
  assert.match(`${stdout}${stderr}`, /Your API description is valid/);
});

test('every route genq registers is documented, and every documented operation is a route', () => {
  const documented = new Set(operations().map(({ method, path }) => `${method} ${path}`));
  const registered = routesInSource();
  assert.ok(registered.size > 50, `found only ${registered.size} route registrations`);
  const undocumented = [...registered].filter((r) => !documented.has(r));
  assert.deepEqual(undocumented, [], 'routes missing from docs/openapi.json');
  // The WebSocket upgrade is taken before routing (ws/pusher_server.cpp), not registered.
  const unrouted = [...documented].filter((r) => !registered.has(r) && r !== 'get /app/{key}');
  assert.deepEqual(unrouted, [], 'operations genq does not route');
});

test('every operation has an id, a 2xx (the WebSocket upgrade a 101) and closed response objects', () => {
  const ids = new Set();
  for (const { method, path, operation } of operations()) {
    assert.ok(operation.operationId && !ids.has(operation.operationId), `${method} ${path}: a unique operationId`);
    ids.add(operation.operationId);
    const codes = Object.keys(operation.responses);
    assert.ok(codes.some((c) => /^2|^101$/.test(c)), `${method} ${path}: a success response`);
  }
  // "Closed where the contract is closed": every object schema says whether it takes
  // more properties, so an undocumented field fails the checker instead of passing.
  const open = [];
  const walk = (node, at) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
    if (!node || typeof node !== 'object') return;
    if (node.type === 'object' && node.properties && !('additionalProperties' in node)) open.push(at);
    for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
  };
  walk(doc.components.schemas, '#/components/schemas');
  assert.deepEqual(open, []);
});

test('every example in the document is valid against its own schema', () => {
  const checker = new OpenApiChecker(doc);
  let count = 0;
  const check = (where, media) => {
    if (!media?.schema || media.example === undefined) return;
    const validate = checker.validator(`example ${where}`, media.schema);
    assert.ok(validate(media.example), `${where}: ${JSON.stringify(validate.errors)}`);
    count++;
  };
  for (const [name, response] of Object.entries(doc.components.responses)) {
    check(`#/components/responses/${name}`, response.content?.['application/json']);
  }
  for (const { method, path, operation } of operations()) {
    for (const [status, response] of Object.entries(operation.responses)) {
      check(`${method} ${path} ${status}`, response.content?.['application/json']);
    }
  }
  for (const [name, item] of Object.entries(doc.webhooks)) {
    check(`webhook ${name}`, item.post.requestBody.content['application/json']);
  }
  assert.ok(count >= 40, `only ${count} examples`);
});

test('GET /openapi.json serves this document without credentials', async () => {
  const h = new Harness();
  try {
    const server = await h.startServer(await h.tempDir());
    const res = await fetch(`${server.url}/openapi.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(await res.text(), documentText, 'the document as it was built in');
    const { stdout } = await execFileP(GENQ, ['--version']);
    assert.equal(`genq ${doc.info.version}`, stdout.trim(), 'info.version is the binary\'s version');
  } finally {
    await h.cleanup();
  }
});

// Just enough of the DOM for docs/api-reference.html's script; returns its <main>.
function renderInFakeDom(script, document) {
  class FakeNode {
    constructor(tag) { Object.assign(this, { tag, children: [], attrs: {}, className: '', text: '' }); }
    append(...nodes) { for (const n of nodes) this.children.push(typeof n === 'string' ? Object.assign(new FakeNode('#text'), { text: n }) : n); }
    replaceChildren(...nodes) { this.children = []; this.append(...nodes); }
    setAttribute(k, v) { this.attrs[k] = v; }
    set textContent(v) { this.text = String(v); }
    all() { return [this, ...this.children.flatMap((c) => c.all())]; }
    querySelector(selector) { return this.all().find((n) => n !== this && n.className.split(' ').includes(selector.slice(1))); }
  }
  const elements = { main: new FakeNode('main'), nav: new FakeNode('nav') };
  const fakeDocument = { createElement: (tag) => new FakeNode(tag), getElementById: (id) => elements[id] };
  let rendered;
  const done = new Promise((resolve) => { rendered = resolve; });
  const fakeFetch = async (path) => {
    assert.equal(path, '/openapi.json');
    setImmediate(() => setImmediate(rendered));
    return { ok: true, json: async () => document };
  };
  new Function('document', 'fetch', script)(fakeDocument, fakeFetch);
  return { then: (f) => done.then(() => f(elements.main)) };
}

test('GET /docs/api serves the reference page: self-contained, nothing loaded from elsewhere', async () => {
  const page = readFileSync(join(ROOT, 'docs/api-reference.html'), 'utf8');
  assert.doesNotMatch(page, /https?:\/\/|\bsrc=|<link\b|innerHTML/, 'no CDN, no external file, no markup from the document');
  const script = page.match(/<script>([\s\S]*)<\/script>/)[1];
  assert.doesNotThrow(() => new Function(script), 'the script parses');
  assert.match(script, /fetch\('\/openapi\.json'\)/);
  // The script renders every operation, webhook and schema (a minimal DOM stands in for the browser's).
  const main = await renderInFakeDom(script, doc);
  const sections = main.all().filter((n) => n.className === 'op');
  const webhooks = Object.keys(doc.webhooks).length;
  assert.equal(sections.length, operations().length + webhooks + Object.keys(doc.components.schemas).length);
  assert.ok(main.all().some((n) => n.tag === 'pre' && n.text.includes('"request_id"')), 'examples are shown');
  const h = new Harness();
  try {
    const server = await h.startServer(await h.tempDir());
    const res = await fetch(`${server.url}/docs/api`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(res.headers.get('content-security-policy'), /^default-src 'none';.*connect-src 'self'$/);
    assert.equal(await res.text(), page);
  } finally {
    await h.cleanup();
  }
});

// A stand-in for genq that answers what the test says, its origin registered like a
// genq server's, to show the checker refusing what the document does not describe.
async function impostor(answer) {
  const server = createServer((req, res) => {
    const { status, type = 'application/json', body } = answer(req);
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  checkResponsesFrom(url);
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('the checker refuses an undocumented field, a wrong type, status or media type, and an unknown route', async () => {
  const good = { data: { request_id: '0192f0c4-5d1e-7a2b-8c3d-4e5f60718293' } };
  const cases = [
    { path: '/api/v1/client/txt2img', status: 200, body: JSON.stringify(good), ok: true },
    { path: '/api/v1/client/txt2img', status: 200, body: JSON.stringify({ data: { ...good.data, extra: 1 } }),
      problem: /must NOT have additional properties \(extra\)/ },
    { path: '/api/v1/client/txt2img', status: 200, body: JSON.stringify({ data: { request_id: 42 } }),
      problem: /request_id must be string/ },
    { path: '/api/v1/client/txt2img', status: 418, body: '{"message":"teapot"}', problem: /status 418 is not documented/ },
    { path: '/api/v1/client/txt2img', status: 200, type: 'text/html', body: '<p>ok</p>',
      problem: /in text\/html is not documented/ },
    { path: '/nowhere', status: 200, body: '{}', problem: /no operation.*status 200 is not documented/ },
    { path: '/nowhere', status: 404, body: '{"message":"Not found."}', ok: true },
  ];
  for (const c of cases) {
    const fake = await impostor(() => c);
    try {
      const attempt = fetch(`${fake.url}${c.path}`, { method: c.path === '/nowhere' ? 'GET' : 'POST' });
      if (c.ok) {
        assert.equal((await attempt).status, c.status);
      } else {
        await assert.rejects(attempt, c.problem);
      }
    } finally {
      await fake.close();
    }
  }
  const recorded = takeViolations();
  assert.equal(recorded.length, 5, 'each refusal is also recorded for the harness\'s cleanup');
});

test('the checker refuses a webhook body or headers the document does not describe', () => {
  const checker = new OpenApiChecker(doc);
  const headers = { 'x-deapi-event': 'job.processing', 'x-deapi-delivery-id': 'd1', 'x-deapi-timestamp': '1',
    'webhook-id': 'd1', 'webhook-timestamp': '1', 'user-agent': 'genq-webhooks/0.1.0' };
  const body = { event: 'job.processing', delivery_id: 'd1', timestamp: '2026-01-15T10:30:00.000Z',
    data: { job_request_id: '0192f0c4-5d1e-7a2b-8c3d-4e5f60718293', status: 'processing', previous_status: 'pending',
      job_type: 'txt2img', started_at: '2026-01-15T10:30:00.000Z' } };
  assert.deepEqual(checker.checkWebhook({ headers, body: JSON.stringify(body) }), []);
  assert.match(checker.checkWebhook({ headers, body: JSON.stringify({ ...body, data: { ...body.data, result_url: null } }) })
    .join(), /additional properties \(result_url\)/);
  const { 'webhook-id': _, ...withoutId } = headers;
  assert.match(checker.checkWebhook({ headers: withoutId, body: JSON.stringify(body) }).join(), /webhook-id is missing/);
});
