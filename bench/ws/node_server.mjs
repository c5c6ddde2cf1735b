// The comparison server for bench/ws/run.sh: the same Pusher-protocol fan-out genq
// does, written the usual Node way with the `ws` package (the version pinned in
// bench/anchors). Connection established, subscribe/unsubscribe, ping/pong, and the
// HTTP API's events/batch_events (unsigned: the benchmark measures fan-out, not auth).
// Each event is serialised once and sent to every subscriber. GET /gc runs the GC
// (start node with --expose-gc) so memory is measured after collection.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../anchors/package.json', import.meta.url));
const { WebSocketServer } = require('ws');

const channels = new Map();  // name -> Set<WebSocket>
let nextId = 1;
const prefix = Math.floor(Math.random() * 1e9);

const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
wss.on('connection', (ws) => {
  ws.channels = new Set();
  ws.send(JSON.stringify({
    event: 'pusher:connection_established',
    data: JSON.stringify({ socket_id: `${prefix}.${nextId++}`, activity_timeout: 30 }),
  }));
  ws.on('message', (text) => {
    let m;
    try { m = JSON.parse(text); } catch { return; }
    if (m.event === 'pusher:ping') {
      ws.send('{"event":"pusher:pong","data":"{}"}');
    } else if (m.event === 'pusher:subscribe') {
      const name = m.data?.channel;
      if (typeof name !== 'string') return;
      if (!channels.has(name)) channels.set(name, new Set());
      channels.get(name).add(ws);
      ws.channels.add(name);
      ws.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel: name, data: '{}' }));
    } else if (m.event === 'pusher:unsubscribe') {
      leave(ws, m.data?.channel);
    }
  });
  ws.on('close', () => { for (const name of [...ws.channels]) leave(ws, name); });
});

function leave(ws, name) {
  const set = channels.get(name);
  if (!set) return;
  set.delete(ws);
  ws.channels.delete(name);
  if (set.size === 0) channels.delete(name);
}

function publish(event) {
  const names = event.channels ?? [event.channel];
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  for (const name of names) {
    const frame = JSON.stringify({ event: event.name, channel: name, data });
    for (const ws of channels.get(name) ?? []) ws.send(frame);
  }
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/gc') {
      if (global.gc) global.gc();
      res.end('{}');
    } else if (req.method === 'POST' && path.endsWith('/batch_events')) {
      for (const e of JSON.parse(body).batch) publish(e);
      res.setHeader('Content-Type', 'application/json');
      res.end('{}');
    } else if (req.method === 'POST' && path.endsWith('/events')) {
      publish(JSON.parse(body));
      res.setHeader('Content-Type', 'application/json');
      res.end('{}');
    } else {
      res.statusCode = 404;
      res.end('{"message":"Not found."}');
    }
  });
});
server.on('upgrade', (req, socket, head) => {
  if (!req.url.startsWith('/app/')) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
