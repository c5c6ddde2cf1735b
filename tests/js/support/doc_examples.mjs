// Runs the shell examples of a Markdown document and pairs each with the answer the
// document shows for it, so docs cannot drift from what genq really answers.
//
// Every ```sh block runs, in order, in one bash process (so a block can use a
// variable an earlier one set); the first non-sh block after a sh block (```json or
// ```text, before the next sh block) is that block's documented answer.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const FENCE = /^```(\w*)\n([\s\S]*?)^```$/gm;

// [{command, expected: {lang, text} | null}] in document order.
export async function docExamples(path) {
  const markdown = await readFile(path, 'utf8');
  const examples = [];
  for (const [, lang, text] of markdown.matchAll(FENCE)) {
    if (lang === 'sh') {
      examples.push({ command: text, expected: null });
    } else if (examples.length > 0 && examples.at(-1).expected === null) {
      examples.at(-1).expected = { lang, text };
    }
  }
  return examples;
}

// Runs every example's command in one bash (set -eu) in `cwd` with `env`; resolves
// with each command's stdout. Rejects with bash's stderr if any command fails.
export async function runExamples(examples, { cwd, env, timeoutMs = 120000 }) {
  const marker = (i) => `@@genq-doc-example-${i}@@`;
  const script = ['set -eu'];
  examples.forEach((example, i) => script.push(example.command, `echo; echo '${marker(i)}'`));
  const bash = spawn('bash', ['-c', script.join('\n')], { cwd, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  bash.stdout.on('data', (d) => { stdout += d; });
  bash.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => bash.kill('SIGKILL'), timeoutMs);
  const code = await new Promise((resolve) => bash.on('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`examples failed (exit ${code}): ${stderr}\nstdout so far:\n${stdout}`);
  const outputs = [];
  let rest = stdout;
  examples.forEach((_, i) => {
    const at = rest.indexOf(`${marker(i)}\n`);
    outputs.push(rest.slice(0, at).trim());
    rest = rest.slice(at + marker(i).length + 1);
  });
  return outputs;
}

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

// Problems that make `actual` differ in shape from the documented `expected`: other
// keys, other value types, and strings that hold JSON (resultJson) compared the same
// way. "code" and "message" must be equal, not only of the same type.
export function shapeDifferences(expected, actual, path = '$') {
  const problems = [];
  if (typeOf(expected) !== typeOf(actual)) {
    return [`${path}: documented ${typeOf(expected)}, got ${typeOf(actual)} (${JSON.stringify(actual)})`];
  }
  if (typeOf(expected) === 'object') {
    const documented = Object.keys(expected).sort();
    const real = Object.keys(actual).sort();
    if (documented.join() !== real.join()) problems.push(`${path}: documented keys ${documented}, got ${real}`);
    for (const key of documented.filter((k) => k in actual)) {
      if ((key === 'code' || key === 'message') && expected[key] !== actual[key]) {
        problems.push(`${path}.${key}: documented ${JSON.stringify(expected[key])}, got ${JSON.stringify(actual[key])}`);
      }
      problems.push(...shapeDifferences(expected[key], actual[key], `${path}.${key}`));
    }
  } else if (typeOf(expected) === 'array' && expected.length > 0) {
    if (actual.length === 0) problems.push(`${path}: documented a non-empty array, got []`);
    for (const item of actual) problems.push(...shapeDifferences(expected[0], item, `${path}[]`));
  } else if (typeOf(expected) === 'string' && /^[{[]/.test(expected)) {
    let inner;
    try { inner = [JSON.parse(expected), JSON.parse(actual)]; } catch { inner = null; }
    if (inner) problems.push(...shapeDifferences(inner[0], inner[1], `${path}<json>`));
  }
  return problems;
}
