// The web playground (docs/playground.md) in a real browser: Debian's chromium, headless,
// driven by playwright-core, against a real genq with a synthetic worker and a real
// webhook receiver. Every wait is a condition with a deadline. Screenshots of the main
// pages go to $GENQ_SCREENSHOTS, else build/screenshots next to the genq binary.
// Skipped, with a message, only when chromium is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { GENQ, Harness, waitFor } from './support/harness.mjs';
import { png } from './support/deapi_sdk.mjs';
import { WebhookReceiver } from './support/webhook_receiver.mjs';

const CHROMIUM = [process.env.GENQ_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .find((p) => p && existsSync(p));
const SKIP = CHROMIUM ? false : 'chromium is not installed (scripts/install-deps.sh installs Debian\'s chromium)';
const SHOTS = process.env.GENQ_SCREENSHOTS || join(dirname(resolve(GENQ)), 'screenshots');
const WAIT = 20000;  // ms: a loaded 2-core box; a passing run takes a fraction of it

// Loopback receivers need both allow flags.
const FLAGS = ['--webhook-allow-http', '--webhook-allow-private'];

async function startGenq(h) {
  const dir = await h.tempDir();
  const server = await h.startServer(dir, { args: FLAGS });
  const client = await h.createClient(dir, 'playground-test');
  const adminToken = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
  // Slow enough steps that the browser sees the progress move.
  await h.startWorker(server.url, dir, { stepDelayMs: 300 });
  return { dir, server, client, adminToken };
}

async function launch(h) {
  // --no-sandbox: the tests run as root in containers, where chromium's sandbox cannot start.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  h.onCleanup(() => browser.close());
  return browser;
}

// A page that records what could leak the key or break the policy: every URL it
// requests, every WebSocket, console errors (CSP violations are reported there).
async function openPage(browser, url, viewport = { width: 1280, height: 900 }, colorScheme = 'light') {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const seen = { urls: [], sockets: [], errors: [] };
  page.on('request', (r) => seen.urls.push(r.url()));
  page.on('websocket', (ws) => seen.sockets.push(ws.url()));
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  await page.goto(`${url}/`);
  return { context, page, seen };
}

async function signIn(page, apiKey, adminToken = '') {
  await page.fill('#signin-key', apiKey);
  await page.fill('#signin-admin', adminToken);
  await page.press('#signin-admin', 'Enter');  // Enter submits
  await page.waitForFunction(() => document.querySelector('#model-select')?.options.length > 0, null, { timeout: WAIT });
}

const shot = async (page, name) => {
  await mkdir(SHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
};

// Waits for one of several conditions in the page; resolves with the index that held.
const firstOf = (page, selectors) => page.waitForFunction((list) => {
  const i = list.findIndex((s) => document.querySelector(s));
  return i >= 0 ? i + 1 : 0;
}, selectors, { timeout: WAIT }).then((h) => h.jsonValue()).then((n) => n - 1);

test('the playground signs in, shows a 422 beside its field, runs txt2img live to its image, lists it, redelivers its webhook and shows the worker', { skip: SKIP }, async (t) => {
  const h = new Harness();
  try {
    const { server, client, adminToken } = await startGenq(h);
    const receiver = await new WebhookReceiver({ secret: client.webhook_secret }).listen();
    h.onCleanup(() => receiver.close());
    const browser = await launch(h);
    const { page, seen } = await openPage(browser, server.url);

    // A wrong key is refused on the sign-in form and not kept.
    await page.fill('#signin-key', 'not-a-key');
    await page.click('#signin-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#signin-error').textContent.includes('not valid'), null, { timeout: WAIT });
    assert.equal(await page.evaluate(() => localStorage.getItem('genq.apiKey')), null);
    await shot(page, 'signin');

    await signIn(page, client.api_key, adminToken);
    assert.equal(await page.evaluate(() => localStorage.getItem('genq.apiKey')), client.api_key, 'the key is kept in localStorage');
    assert.equal(await page.inputValue('#task-select'), 'txt2img');
    assert.equal(await page.inputValue('#model-select'), 'Flux1schnell');
    // The form comes from the catalog: bounds and defaults on the inputs.
    assert.equal(await page.getAttribute('#param-width', 'max'), '2048');
    assert.equal(await page.inputValue('#param-steps'), '4');

    // The account webhook, set from the page, is where this job's deliveries go.
    await page.goto(`${server.url}/#webhooks`);
    await page.waitForSelector('#view-webhooks:not([hidden])', { timeout: WAIT });
    await page.fill('#webhook-url', receiver.url());
    for (const e of ['job.processing', 'job.completed', 'job.failed']) await page.check(`#webhook-form input[value="${e}"]`);
    await page.click('#webhook-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#webhook-saved').textContent === 'Saved.', null, { timeout: WAIT });

    // A field out of bounds: the server's 422 message appears beside it, and focus moves there.
    await page.goto(`${server.url}/#playground`);
    await page.waitForSelector('#view-playground:not([hidden])', { timeout: WAIT });
    await page.fill('#param-prompt', 'a lighthouse at dusk');
    await page.fill('#param-width', '99999');
    await page.click('#submit-job');
    await page.waitForFunction(() => document.querySelector('#param-width-error').textContent !== '', null, { timeout: WAIT });
    assert.match(await page.textContent('#param-width-error'), /width.*(greater than|2048)/i);
    assert.equal(await page.getAttribute('#param-width', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'param-width');
    assert.equal(await page.textContent('#param-height-error'), '', 'only the bad field is marked');
    await shot(page, 'playground-422');

    // The price of a valid form is shown before submitting.
    await page.fill('#param-width', '320');
    await page.fill('#param-height', '256');
    await page.fill('#param-steps', '8');
    await page.waitForFunction(() => /^Price: [0-9.eE-]+ USD$/.test(document.querySelector('#price').textContent), null, { timeout: WAIT });

    // Enter in a field submits; progress moves, a preview appears, then the image.
    await page.press('#param-steps', 'Enter');
    await page.waitForSelector('#job-id', { timeout: WAIT });
    const requestId = (await page.textContent('#job-id')).trim();
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    await page.waitForFunction(() => {
      const v = document.querySelector('#job-progress')?.value;
      return v > 0 && v < 100;
    }, null, { timeout: WAIT });
    await page.waitForFunction(() => {
      const img = document.querySelector('#job-preview');
      return img && !img.hidden && img.src.startsWith('data:image/jpeg;base64,');
    }, null, { timeout: WAIT });
    await shot(page, 'playground-progress');
    await page.waitForFunction(() => document.querySelector('#job-status')?.dataset.final, null, { timeout: WAIT });
    assert.equal(await page.getAttribute('#job-status', 'data-final'), 'done', await page.textContent('#job-status'));
    const size = await page.waitForFunction(() => {
      const img = document.querySelector('#job-result img.result-image');
      return img && img.complete && img.naturalWidth > 0 && [img.naturalWidth, img.naturalHeight];
    }, null, { timeout: WAIT }).then((handle) => handle.jsonValue());
    assert.deepEqual(size, [320, 256], 'the image at the requested size');
    assert.match(await page.getAttribute('#job-result a.download', 'href'), /\/files\/results\//);
    await shot(page, 'playground');

    // pusher-js is in this build: the job was followed over genq's own WebSocket.
    if (await page.evaluate(() => typeof window.Pusher === 'function')) {
      const ws = seen.sockets.find((u) => u.startsWith(server.url.replace('http', 'ws') + '/app/'));
      assert.ok(ws, `a WebSocket to genq itself: ${seen.sockets}`);
    } else {
      t.diagnostic('this genq was built without pusher-js: the job was followed by polling');
    }

    // A narrow screen in dark mode: the playground fits without sideways scrolling, and
    // takes the dark colours (the first page asked for light).
    const narrow = await openPage(browser, server.url, { width: 390, height: 844 }, 'dark');
    await signIn(narrow.page, client.api_key);
    assert.ok(await narrow.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
      'no horizontal overflow at 390 px');
    const background = (p) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await background(page), 'rgb(255, 255, 255)');
    assert.equal(await background(narrow.page), 'rgb(17, 20, 24)');
    await shot(narrow.page, 'playground-narrow');
    await narrow.context.close();

    await t.test('history lists the job', async (st) => {
      await page.goto(`${server.url}/#history`);
      const which = await firstOf(page, [`#history-table tr[data-request-id="${requestId}"]`, '#history-notice:not(:empty)']);
      const notice = await page.textContent('#history-notice');
      if (which === 1 && /Not available/.test(notice)) {
        st.skip('GET /api/v1/client/jobs is not on this server');
        return;
      }
      assert.equal(which, 0, notice);
      const row = page.locator(`#history-table tr[data-request-id="${requestId}"]`);
      assert.match(await row.textContent(), /txt2img.*Flux1schnell.*done/);
      await page.selectOption('#history-status', 'error');
      await page.click('#history-filters button[type=submit]');
      await page.waitForFunction(() => document.querySelector('#history-notice').textContent === 'No jobs match.', null, { timeout: WAIT });
      await page.selectOption('#history-status', '');
      await page.click('#history-filters button[type=submit]');
      await row.waitFor({ timeout: WAIT });
      await shot(page, 'history');
    });

    await t.test('a redelivery appears in the delivery log', async () => {
      await waitFor(() => receiver.withEvent('job.completed', requestId).length === 1, { timeoutMs: WAIT, message: 'the job.completed webhook' });
      await page.goto(`${server.url}/#webhooks`);
      await page.fill('#deliveries-request', requestId);
      await page.press('#deliveries-request', 'Enter');
      const completed = page.locator('#deliveries tr', { hasText: 'job.completed' });
      await completed.locator('.badge.delivered').waitFor({ timeout: WAIT });
      assert.equal(await completed.locator('.attempt-count').textContent(), '1');
      await completed.locator('button.redeliver').click();
      // The log refreshes until the second attempt is there.
      await page.waitForFunction(() => {
        const row = [...document.querySelectorAll('#deliveries tr')].find((r) => r.textContent.includes('job.completed'));
        return row && row.querySelector('.attempt-count').textContent === '2' && row.querySelectorAll('.attempts li').length === 2;
      }, null, { timeout: WAIT });
      await waitFor(() => receiver.withEvent('job.completed', requestId).length === 2, { timeoutMs: WAIT, message: 'the redelivered webhook' });
      assert.ok(receiver.requests.every((r) => !r.standardError && !r.deapiError), 'every delivery verifies');
      await shot(page, 'webhooks');
    });

    await t.test('the admin view lists clients and the running worker', async (st) => {
      await page.goto(`${server.url}/#admin`);
      await page.locator('#admin-clients tr', { hasText: 'playground-test' }).waitFor({ timeout: WAIT });
      const which = await firstOf(page, ['#admin-workers td', '#admin-workers .notice:not(:empty)']);
      const text = await page.textContent('#admin-workers');
      await shot(page, 'admin');
      if (which === 1 && /Not available/.test(text)) {
        st.skip('GET /api/v1/admin/workers is not on this server');
        return;
      }
      await page.locator('#admin-workers tbody tr', { hasText: 'online' }).waitFor({ timeout: WAIT });
      assert.match(await page.textContent('#admin-workers'), /Flux1schnell/);
    });

    // Nothing carried the key in a URL, nothing went elsewhere, the policy blocked nothing.
    const origin = new URL(server.url).origin;
    for (const u of [...seen.urls, ...seen.sockets]) {
      assert.ok(!u.includes(client.api_key) && !u.includes(adminToken), `a credential in a URL: ${u}`);
      assert.ok(u.startsWith(origin) || u.startsWith(origin.replace('http', 'ws')) || u.startsWith('data:'), `a request elsewhere: ${u}`);
    }
    // The answers the page shows as messages (a wrong key, a bad field, a route this
    // server lacks) are logged by the browser as failed loads; anything else is an error.
    const relevant = seen.errors.filter((e) => !/the server responded with a status of (401|404|405|422)/.test(e));
    assert.deepEqual(relevant, [], 'no script errors or policy violations');
  } finally {
    await h.cleanup();
  }
});

test('without pusher-js the playground follows a job by polling', { skip: SKIP }, async () => {
  const h = new Harness();
  let failed = true;  // a screenshot of the page when it fails
  try {
    const { server, client } = await startGenq(h);
    const browser = await launch(h);
    const context = await browser.newContext();
    // As a build without web/node_modules serves it: no pusher-js.
    await context.route('**/ui/pusher.min.js', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"message":"Not found."}' }));
    const page = await context.newPage();
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${server.url}/`);
    await signIn(page, client.api_key);
    assert.equal(await page.evaluate(() => typeof window.Pusher), 'undefined');
    h.onCleanup(async () => {
      if (!failed) return;
      await shot(page, 'failure-polling');
      console.log(`the job panel on failure: ${await page.textContent('#job-panel')}`);
    });
    await page.fill('#param-prompt', 'polled');
    await page.fill('#param-width', '256');
    await page.fill('#param-height', '264');
    await page.click('#submit-job');
    await page.waitForFunction(() => /polling/.test(document.querySelector('#job-status')?.textContent ?? ''), null, { timeout: WAIT });
    await page.waitForFunction(() => document.querySelector('#job-status')?.dataset.final === 'done', null, { timeout: WAIT });
    const size = await page.waitForFunction(() => {
      const img = document.querySelector('#job-result img.result-image');
      return img && img.complete && img.naturalWidth > 0 && [img.naturalWidth, img.naturalHeight];
    }, null, { timeout: WAIT }).then((handle) => handle.jsonValue());
    assert.deepEqual(size, [256, 264]);
    assert.deepEqual(sockets, [], 'no WebSocket without pusher-js');
    failed = false;
  } finally {
    await h.cleanup();
  }
});

// A real PNG: image inputs are decoded by the synthetic worker.
const PNG = png(32, 32);

test('each result shows as what it is (an image from an uploaded file, audio, text, an embedding), and a running job cancels', { skip: SKIP }, async () => {
  const h = new Harness();
  try {
    const { server, client } = await startGenq(h);
    const browser = await launch(h);
    const { page, seen } = await openPage(browser, server.url);
    await signIn(page, client.api_key);

    // Picks a task and model, fills the fields (files as {name, mimeType, buffer}), submits
    // and waits for the job to end.
    const run = async (task, model, fields, files = {}) => {
      await page.selectOption('#task-select', task);
      await page.selectOption('#model-select', model);
      for (const [name, value] of Object.entries(fields)) await page.fill(`#param-${name}`, value);
      for (const [name, file] of Object.entries(files)) await page.setInputFiles(`#param-${name}`, file);
      const before = await page.textContent('#job-panel');
      await page.click('#submit-job');
      await page.waitForFunction((old) => {
        const status = document.querySelector('#job-status');
        return status && document.querySelector('#job-panel').textContent !== old && status.dataset.final;
      }, before, { timeout: WAIT }).catch(async (e) => {
        const problems = await page.evaluate(() => [...document.querySelectorAll('#job-form .error')].map((n) => n.textContent).filter(Boolean));
        throw new Error(`${task}: ${e.message}; form: ${problems.join(' | ')}; panel: ${await page.textContent('#job-panel')}`);
      });
      assert.equal(await page.getAttribute('#job-status', 'data-final'), 'done', `${task}: ${await page.textContent('#job-panel')}`);
    };

    // img2img: the form sends multipart with the file; the output at the requested size.
    await run('img2img', 'QwenImageEdit_Plus_NF4', { prompt: 'make it blue', width: '272', height: '256' },
      { image: { name: 'in.png', mimeType: 'image/png', buffer: PNG } });
    const size = await page.waitForFunction(() => {
      const img = document.querySelector('#job-result img.result-image');
      return img && img.complete && img.naturalWidth > 0 && [img.naturalWidth, img.naturalHeight];
    }, null, { timeout: WAIT }).then((handle) => handle.jsonValue());
    assert.deepEqual(size, [272, 256]);

    // txt2audio: a player the browser can read the length of.
    await run('txt2audio', 'Kokoro', { text: 'hello from the playground' });
    const duration = await page.waitForFunction(() => {
      const audio = document.querySelector('#job-result audio.result-audio');
      return audio && audio.readyState >= 1 && audio.duration > 0 && audio.duration;
    }, null, { timeout: WAIT }).then((handle) => handle.jsonValue());
    assert.ok(duration > 0);

    // img2txt: the text itself.
    await run('img2txt', 'Nanonets_Ocr_S_F16', {}, { image: { name: 'scan.png', mimeType: 'image/png', buffer: PNG } });
    assert.ok((await page.textContent('#job-result .result-text')).trim().length > 0, 'the text result');

    // txt2embedding: its length and first values, not a wall of numbers.
    await run('txt2embedding', 'Bge_M3_FP16', { input: 'hello' });
    assert.match(await page.textContent('#job-result .result-embedding'), /^Embedding of \d+ values$/);
    assert.match(await page.textContent('#job-result .result-text'), /^\[-?\d+\.\d{6}(, -?\d+\.\d{6}){0,7}(, …)?\]$/);
    await shot(page, 'playground-embedding');

    // A running job is cancelled from its panel: it ends in error, "cancelled".
    await page.selectOption('#task-select', 'txt2img');
    await page.selectOption('#model-select', 'Flux1schnell');
    await page.fill('#param-prompt', 'a long one');
    await page.fill('#param-steps', '10');
    await page.click('#submit-job');
    await page.waitForFunction(() => document.querySelector('#job-progress')?.value > 0, null, { timeout: WAIT });
    await page.click('#job-cancel');
    await page.waitForFunction(() => document.querySelector('#job-status')?.dataset.final, null, { timeout: WAIT });
    assert.equal(await page.getAttribute('#job-status', 'data-final'), 'error');
    assert.match(await page.textContent('#job-status'), /cancelled/);
    assert.deepEqual(seen.errors.filter((e) => !/status of (404|405|422)/.test(e)), [], 'no script errors or policy violations');
  } finally {
    await h.cleanup();
  }
});
