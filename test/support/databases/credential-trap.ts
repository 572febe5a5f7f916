/**
 * An attacker's database server: it speaks just enough of the PostgreSQL or MySQL protocol to
 * make a client reveal its password in the clear, records it, and then rejects the login (which
 * is what makes a careless client try its other credentials). Listen on another loopback address
 * (127.0.0.2) to play a server the attacker named in a secret value they wrote.
 *
 * - PostgreSQL: asks for a clear-text password (AuthenticationCleartextPassword).
 * - MySQL: announces caching_sha2_password and asks for full authentication; the client then
 *   sends the password in the clear over TLS, or over plain TCP encrypted with an RSA key the
 *   server supplies (the trap's own).
 * With `tls`, the trap accepts TLS with that certificate (e.g. one for its own address from a CA
 * the client trusts), as an attacker with a valid certificate for their own name would.
 */
import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';

export interface TrappedLogin {
  readonly username: string;
  /** The password as the client sent it; undefined if it never got that far. */
  readonly password?: string;
  readonly tls: boolean;
}

export interface TrapOptions {
  readonly host?: string;
  readonly tls?: { certFile: string; keyFile: string };
}

/** Reads whole messages from a socket whose framing the protocol decides. */
class Reader {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private closed = false;
  constructor(private socket: Socket) { this.attach(socket); }

  attach(socket: Socket): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => { this.buffer = Buffer.concat([this.buffer, chunk]); this.waiting?.(); });
    socket.on('close', () => { this.closed = true; this.waiting?.(); });
    socket.on('error', () => { this.closed = true; this.waiting?.(); });
  }

  /** Stops reading the raw socket (before a TLS upgrade takes it over); returns what was read but not taken. */
  detach(): Buffer {
    this.socket.removeAllListeners('data');
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  async take(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.closed) throw new Error('closed');
      await new Promise<void>((resolve) => { this.waiting = resolve; });
      this.waiting = undefined;
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }
}

export class CredentialTrap {
  /** A fake PostgreSQL server. */
  static postgres(options: TrapOptions = {}): Promise<CredentialTrap> {
    return new CredentialTrap('postgres', options).listen();
  }

  /** A fake MySQL server. */
  static mysql(options: TrapOptions = {}): Promise<CredentialTrap> {
    return new CredentialTrap('mysql', options).listen();
  }

  /** Every login attempt, with the password when the client revealed it. */
  readonly logins: TrappedLogin[] = [];
  /** TCP connections accepted, whatever came of them. */
  connections = 0;
  readonly host: string;
  port = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  private constructor(protocol: 'postgres' | 'mysql', private readonly options: TrapOptions) {
    this.host = options.host ?? '127.0.0.2';
    this.server = createServer((socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      const session = protocol === 'postgres' ? this.postgresSession(socket) : this.mysqlSession(socket);
      session.catch(() => undefined).finally(() => socket.destroy());
    });
  }

  /** The passwords the trap learnt. */
  get passwords(): string[] {
    return this.logins.flatMap((l) => (l.password === undefined ? [] : [l.password]));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.host, () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  private upgrade(socket: Socket, reader: Reader): TLSSocket {
    // The client may have sent the start of its TLS handshake with the request to upgrade: the
    // TLS side reads through a stream that starts with those bytes.
    const rest = reader.detach();
    const stream = new Duplex({
      read() {},
      write(chunk, _encoding, done) { socket.write(chunk, done); },
      final(done) { socket.end(); done(); },
    });
    if (rest.length > 0) stream.push(rest);
    socket.on('data', (chunk) => stream.push(chunk));
    socket.on('end', () => stream.push(null));
    const tls = new TLSSocket(stream as unknown as Socket, { isServer: true, cert: readFileSync(this.options.tls!.certFile), key: readFileSync(this.options.tls!.keyFile) });
    tls.on('error', () => socket.destroy());
    reader.attach(tls);
    return tls;
  }

  private async postgresSession(raw: Socket): Promise<void> {
    let socket: Socket = raw;
    const reader = new Reader(raw);
    let tls = false;
    let startup: Buffer;
    for (;;) {
      const length = (await reader.take(4)).readInt32BE(0);
      startup = await reader.take(length - 4);
      const code = startup.readInt32BE(0);
      if (code !== 80877103 && code !== 80877104) break; // SSLRequest / GSSENCRequest
      if (code === 80877103 && this.options.tls) {
        socket.write('S');
        socket = this.upgrade(socket, reader);
        tls = true;
      } else {
        socket.write('N');
      }
    }
    const fields = startup.subarray(4).toString('utf8').split('\0');
    const username = fields[fields.indexOf('user') + 1] ?? '';
    // AuthenticationCleartextPassword
    socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]));
    const type = (await reader.take(1)).toString();
    const body = await reader.take((await reader.take(4)).readInt32BE(0) - 4);
    this.logins.push({ username, password: type === 'p' ? body.toString('utf8').replace(/\0$/, '') : undefined, tls });
    socket.end(postgresError('28P01', `password authentication failed for user "${username}"`));
  }

  private async mysqlSession(raw: Socket): Promise<void> {
    let socket: Socket = raw;
    const reader = new Reader(raw);
    let sequence = 0;
    const send = (payload: Buffer) => {
      const header = Buffer.alloc(4);
      header.writeUIntLE(payload.length, 0, 3);
      header[3] = sequence++;
      socket.write(Buffer.concat([header, payload]));
    };
    const receive = async () => {
      const header = await reader.take(4);
      sequence = header[3] + 1;
      return reader.take(header.readUIntLE(0, 3));
    };
    const scramble = randomBytes(20).map((b) => (b % 94) + 33); // printable, no NUL
    const CLIENT_SSL = 0x800;
    const capabilities = 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x20000 | 0x80000 | 0x200000 | (this.options.tls ? CLIENT_SSL : 0);
    const handshake = Buffer.concat([
      Buffer.from([10]), Buffer.from('8.0.36-trap\0'), Buffer.from([1, 0, 0, 0]), scramble.subarray(0, 8), Buffer.from([0]),
      u16(capabilities & 0xffff), Buffer.from([0x21]), u16(2), u16(capabilities >>> 16), Buffer.from([21]), Buffer.alloc(10),
      scramble.subarray(8), Buffer.from([0]), Buffer.from('caching_sha2_password\0'),
    ]);
    send(handshake);
    let response = await receive();
    let tls = false;
    if (response.length === 32 && (response.readUInt32LE(0) & CLIENT_SSL) && this.options.tls) {
      socket = this.upgrade(socket, reader);
      tls = true;
      response = await receive();
    }
    const end = response.indexOf(0, 32);
    const username = response.subarray(32, end).toString('utf8');
    // AuthMoreData: perform full authentication.
    send(Buffer.from([0x01, 0x04]));
    let answer = await receive();
    let password: string | undefined;
    if (answer.length === 1 && answer[0] === 0x02) {
      // The client asks for the server's RSA key: it gets the trap's.
      send(Buffer.concat([Buffer.from([0x01]), Buffer.from(this.rsa.publicKey.export({ type: 'spki', format: 'pem' }))]));
      answer = await receive();
      const mixed = privateDecrypt({ key: this.rsa.privateKey, oaepHash: 'sha1', padding: constants.RSA_PKCS1_OAEP_PADDING }, answer);
      password = Buffer.from(mixed.map((b, i) => b ^ scramble[i % scramble.length])).toString('utf8').replace(/\0$/, '');
    } else {
      password = answer.toString('utf8').replace(/\0$/, '');
    }
    this.logins.push({ username, password, tls });
    const message = `Access denied for user '${username}'`;
    send(Buffer.concat([Buffer.from([0xff]), u16(1045), Buffer.from('#28000'), Buffer.from(message)]));
    socket.end();
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function postgresError(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const header = Buffer.alloc(5);
  header.write('E');
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}
