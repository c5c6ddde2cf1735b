// A TCP relay that stands where a load balancer would: clients keep one address while
// the server behind it stops and starts again on a new port. Tests of "the server was
// away" need it because a freed port is not theirs to keep: on a busy machine another
// test's listener can take it, and a client reconnecting to it would talk to that
// stranger (or wait on it) instead of failing and retrying.
//
// A connection is judged only once the client has sent its first bytes (every client
// here speaks HTTP, so it speaks first): while the server is away it is reset then,
// else it is joined to the server. Never closed before that: Node's fetch (seen on
// Node 20) can report a socket closed straight after accept as connected, and then
// neither sends nor fails until its own timeout, so a test of reconnecting waits on it.
import net from 'node:net';

export class TcpRelay {
  #listener;
  #target = null;  // the server's port, or null while it is away
  #pairs = new Set();
  #unheard = new Set();  // accepted, first bytes not yet sent

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

  // The server is gone: connections open through the relay are reset, and so are new
  // ones once they send, as a client of a load balancer with no server behind it sees.
  away() {
    this.#target = null;
    for (const [client, upstream] of this.#pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  async close() {
    this.away();
    for (const client of this.#unheard) client.destroy();
    await new Promise((resolve) => this.#listener.close(resolve));
  }

  #accept(client) {
    this.#unheard.add(client);
    client.on('error', () => {});
    client.once('close', () => this.#unheard.delete(client));
    client.once('data', (first) => {
      this.#unheard.delete(client);
      client.pause();
      if (this.#target === null) {
        client.resetAndDestroy();
      } else {
        this.#join(client, first);
      }
    });
  }

  #join(client, first) {
    const upstream = net.connect(this.#target, '127.0.0.1');
    const pair = [client, upstream];
    this.#pairs.add(pair);
    const forget = () => this.#pairs.delete(pair);
    // The server refused or reset: so does the relay, as the client would have seen.
    upstream.on('error', () => {
      forget();
      client.resetAndDestroy();
    });
    upstream.on('close', () => {
      forget();
      client.end();
    });
    client.on('close', () => {
      forget();
      upstream.destroy();
    });
    upstream.write(first);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
