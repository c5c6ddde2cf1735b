// Out of file descriptors (docs/security.md): with every descriptor held by idle
// connections, genq backs off its accept loop instead of spinning (it used 122% CPU and
// logged 26 MB/s), and serves again as soon as descriptors come back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { Harness, waitFor } from './support/harness.mjs';

const TICKS_PER_SECOND = 100;  // USER_HZ on Linux
async function cpuSeconds(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;  // utime + stime
}

function open(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.once('connect', () => resolve(socket));
  });
}

test('out of descriptors, genq idles instead of spinning and recovers when they come back', async () => {
  const h = new Harness();
  const sockets = [];
  try {
    const dir = await h.tempDir();
    // A connection cap above the descriptors, so that descriptors run out first: the
    // default cap (the limit less 256) would refuse these connections before that.
    const server = await h.startServer(dir, { descriptorLimit: 64, args: ['--max-connections', '1000'] });
    let log = '';  // spdlog writes to stdout
    server.proc.stdout.on('data', (d) => { log += d; });
    // More idle connections than the server has descriptors left: the rest wait in
    // the listen backlog while accept() fails with EMFILE.
    for (let i = 0; i < 90; i += 1) sockets.push(await open(server.port));
    await new Promise((r) => setTimeout(r, 300));
    const held = (await readdir(`/proc/${server.proc.pid}/fd`)).length;
    assert.ok(held >= 63, `genq holds ${held} of its 64 descriptors: the test did not exhaust them`);
    const before = await cpuSeconds(server.proc.pid);
    await new Promise((r) => setTimeout(r, 2000));
    const used = (await cpuSeconds(server.proc.pid)) - before;
    console.log(`out of descriptors for 2 s: ${used.toFixed(2)} s of CPU`);
    assert.ok(used < 0.15, `genq used ${used} s of CPU in 2 s while out of descriptors`);

    for (const socket of sockets.splice(0)) socket.destroy();
    await waitFor(async () => {
      try {
        return (await fetch(`${server.url}/healthz`)).status === 200;
      } catch {
        return false;
      }
    }, { timeoutMs: 10000, message: '/healthz answering again' });
    // Its log is read once it has exited (and flushed): one report per 10 s at most.
    await h.stop(server.proc);
    assert.match(log, /accept failed: Too many open files/, 'the failure is reported');
    assert.ok(log.length < 4000, `genq logged ${log.length} bytes while out of descriptors: ${log.slice(0, 500)}`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await h.cleanup();
  }
});
