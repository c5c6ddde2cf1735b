// Publishes MESSAGES events of name "bench" on one channel through the Pusher HTTP API
// (signed by the official `pusher` library), 10 per batch_events request, a few
// requests in flight. Used by bench/ws/run.sh for both servers.
//   node publish.mjs PORT APP_ID KEY SECRET CHANNEL MESSAGES
import { createRequire } from 'node:module';

const require = createRequire(new URL('../anchors/package.json', import.meta.url));
const Pusher = require('pusher');

const [port, appId, key, secret, channel, messagesText] = process.argv.slice(2);
const messages = Number(messagesText);
const pusher = new Pusher({ appId, key, secret, host: '127.0.0.1', port, useTLS: false });
const payload = { text: 'x'.repeat(64) };

let next = 0;
async function lane() {
  while (next < messages) {
    const batch = [];
    for (let i = 0; i < 10 && next < messages; i++, next++) {
      batch.push({ channel, name: 'bench', data: { n: next, ...payload } });
    }
    await pusher.triggerBatch(batch);
  }
}
await Promise.all([lane(), lane(), lane(), lane()]);
