// docs/task-api.md is true: every curl example in it runs against the real genq (with
// a synthetic worker and a callback receiver), and every answer it shows has the
// fields, types, codes and messages genq really answers with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';

import { Harness, waitFor } from './support/harness.mjs';
import { docExamples, runExamples, shapeDifferences } from './support/doc_examples.mjs';
import { WebhookReceiver } from './support/webhook_receiver.mjs';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'task-api.md');

test('every example in docs/task-api.md runs and answers as documented', async (t) => {
  const h = new Harness();
  t.after(() => h.cleanup());
  const dir = await h.tempDir();
  const client = await h.createClient(dir);
  const receiver = await new WebhookReceiver({ secret: client.webhook_secret }).listen();
  h.onCleanup(() => receiver.close());
  const server = await h.startServer(dir, { args: ['--webhook-allow-http', '--webhook-allow-private'] });
  await h.startWorker(server.url, dir, { stepDelayMs: 20 });

  const examples = await docExamples(DOC);
  assert.ok(examples.length >= 5, `only ${examples.length} examples found in ${DOC}`);
  const outputs = await runExamples(examples, {
    cwd: await h.tempDir(),
    env: { GENQ_URL: server.url, GENQ_API_KEY: client.api_key, CALLBACK_URL: receiver.url('/apixo') },
  });

  examples.forEach(({ command, expected }, i) => {
    if (!expected) return;
    const what = `example ${i + 1} (${command.split('\n')[0]})`;
    if (expected.lang === 'json') {
      let actual;
      assert.doesNotThrow(() => { actual = JSON.parse(outputs[i]); }, `${what} printed no JSON: ${outputs[i]}`);
      const problems = shapeDifferences(JSON.parse(expected.text), actual);
      assert.deepEqual(problems, [], `${what} differs from the documented answer: ${outputs[i]}`);
    } else {
      assert.equal(outputs[i], expected.text.trim(), `${what} printed something else`);
    }
  });

  // The callback example's task really calls back, signed.
  await waitFor(() => receiver.requests.some((r) => r.json?.data?.state === 'success'), {
    message: 'the documented callback arrives',
  });
  const callback = receiver.requests.find((r) => r.json?.data?.state === 'success');
  assert.equal(callback.path, '/apixo');
  assert.equal(callback.standardError, null);
  assert.equal(callback.deapiError, null);
});
