/**
 * A TCP relay in front of a database, so a test can take "the database" down and up again in
 * milliseconds without restarting the server: down() closes the listener and cuts every
 * connection, so clients see ECONNREFUSED exactly as with a stopped server.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './ports';

export class TcpProxy {
  /** A relay to targetHost:targetPort, listening on `listenHost` (another loopback address plays another host). */
  static async start(targetPort: number, targetHost = '127.0.0.1', listenHost = '127.0.0.1'): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), targetHost, targetPort, listenHost);
    await proxy.up();
    return proxy;
  }

  /** Connections accepted so far: a test can show that nothing was even attempted. */
  connections = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(public readonly port: number, private readonly targetHost: string, private readonly targetPort: number, public readonly host: string) {}

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      this.connections++;
      const upstream = createConnection(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
