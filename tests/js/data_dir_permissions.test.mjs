// The data directory is its owner's alone (docs/security.md): 0700, its files 0600,
// also when an earlier version left them readable to others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Harness, submitJob } from './support/harness.mjs';

const mode = async (path) => (await stat(path)).mode & 0o777;

// Every regular file under `dir`, recursively.
async function filesUnder(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...await filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

test('the data directory is 0700 and what genq writes into it 0600, even over an older readable one', async () => {
  const h = new Harness();
  try {
    const dir = await h.tempDir();
    const client = await h.createClient(dir);  // `genq admin` creates the database
    let server = await h.startServer(dir);
    await submitJob(server.url, client.api_key);
    assert.equal(await mode(dir), 0o700);
    const files = await filesUnder(dir);
    assert.ok(files.some((f) => f.endsWith('genq.db')), `database present: ${files}`);
    for (const file of files) assert.equal(await mode(file), 0o600, `${file} is ${(await mode(file)).toString(8)}`);

    // As an earlier version left it: readable to everyone.
    await h.stop(server.proc);
    await chmod(dir, 0o755);
    await chmod(join(dir, 'genq.db'), 0o644);
    server = await h.startServer(dir);
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(join(dir, 'genq.db')), 0o600);
  } finally {
    await h.cleanup();
  }
});
