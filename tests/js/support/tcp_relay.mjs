// A TCP relay that stands where a load balancer would: clients keep one address while
// the server behind it stops and starts again on a new port. Tests of "the server was
// away" need it because a freed port is not theirs to keep: on a busy machine another
// test's listener can take it, and a client reconnecting to it would talk to that
// stranger (or wait on it) instead of failing and retrying.
import net from 'node:net';

export class TcpRelay {
  #listener;
  #target = null;  // the server's port, or null while it is away
  #pairs = new Set();

  static async start() {
    const relay = new TcpRelay();
    relay.#listener = net.createServer((socket) => relay.#accept(socket));
    await new Promise((resolve, reject) => {
      relay.#listener.once('error', reject);
      relay.#listener.listen(0, '127.0.0.1', resolve);
    });
    return relay;
  }

  get port() { return this.#listener.address().port; }
  get url() { return `http://127.0.0.1:${this.port}`; }

  // From now on new connections go to this port on 127.0.0.1.
  pointTo(port) { this.#target = port; }

  // The server is gone: connections open through the relay are reset, and new ones
  // are reset as soon as they arrive, as a client sees a stopped server.
  away() {
    this.#target = null;
    for (const pair of this.#pairs) pair.forEach((s) => s.resetAndDestroy());
    this.#pairs.clear();
  }

  async close() {
    this.away();
    await new Promise((resolve) => this.#listener.close(resolve));
  }

  #accept(client) {
    if (this.#target === null) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.#target, '127.0.0.1');
    const pair = [client, upstream];
    this.#pairs.add(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
