import { execFile, spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

/**
 * How the embedded PostgreSQL binaries run. PostgreSQL refuses to run as root, so root needs a
 * way to look like someone else:
 *
 * - `self`: not root — run as the invoking user.
 * - `userns`: root runs them in a user namespace (`unshare --user`) where it is seen as the
 *   `postgres` account. The kernel still checks files against root's own uid, so a clone and a
 *   DATA_DIR in a private (0700) folder such as /root/x work, and the cluster's files stay
 *   root's. This is the default for root.
 * - `setuid`: root switches to the `postgres` account (user namespaces unavailable, e.g. under
 *   a container runtime's seccomp profile, or a cluster initialised that way by an earlier
 *   version). That account must be able to reach the binaries and DATA_DIR.
 */
export type PostgresLauncher =
  | { kind: 'self' }
  | { kind: 'userns'; uid: number; gid: number }
  | { kind: 'setuid'; uid: number; gid: number };

const run = promisify(execFile);

/** One line for the operator: what went wrong with the embedded database and what to do. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

interface Ids { uid: number; gid: number }

/** The `postgres` account, created when missing (initdb and postgres look their user name up). */
async function postgresAccount(): Promise<Ids> {
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['-f', '--system', 'postgres']).catch(() => undefined);
    const made = await run('useradd', ['--system', '-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres'])
      .then(() => '', (err: Error) => err.message.split('\n')[0]);
    try {
      return await ids();
    } catch (err) {
      throw new EmbeddedPostgresError(`PostgreSQL cannot run as root, and the \`postgres\` account it runs as could not be found or created (${made || (err as Error).message.split('\n')[0]}). ` +
        'Run the service as a non-root user, create the account (useradd --system postgres), or set DATABASE_URL.');
    }
  }
}

/** Whether `unshare` can map root to `ids` here (util-linux, and user namespaces allowed). */
export function userNamespacesWork(ids: Ids): boolean {
  const r = spawnSync('unshare', ['--user', `--map-user=${ids.uid}`, `--map-group=${ids.gid}`, 'true'], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** The owner of an existing cluster, or null when `pgDir` holds none. */
function clusterOwner(pgDir: string): Ids | null {
  try {
    statSync(join(pgDir, 'PG_VERSION'));
    const s = statSync(pgDir);
    return { uid: s.uid, gid: s.gid };
  } catch {
    return null;
  }
}

export interface LauncherProbe { isRoot: boolean; userNamespacesWork: (ids: Ids) => boolean }
const realProbe: LauncherProbe = { isRoot: userInfo().uid === 0, userNamespacesWork };

/** Picks the launcher for the cluster in `pgDir` (see PostgresLauncher). */
export async function chooseLauncher(pgDir: string, probe: LauncherProbe = realProbe): Promise<PostgresLauncher> {
  if (!probe.isRoot) return { kind: 'self' };
  const owner = clusterOwner(pgDir);
  // A cluster an earlier version initialised as the postgres account stays with that account.
  if (owner && owner.uid !== 0) return { kind: 'setuid', ...owner };
  const account = await postgresAccount();
  if (probe.userNamespacesWork(account)) return { kind: 'userns', ...account };
  if (owner) {
    throw new EmbeddedPostgresError(`the embedded PostgreSQL in ${pgDir} belongs to root and needs user namespaces (unshare --user), which this machine refuses. ` +
      'Run the service as a non-root user with DATA_DIR of its own, or set DATABASE_URL.');
  }
  return { kind: 'setuid', ...account };
}

/** Runs one PostgreSQL binary through the launcher; resolves with its output, rejects with its tail. */
export function runPostgresBinary(bin: string, args: string[], launcher: PostgresLauncher): Promise<string> {
  const [file, argv, ids] = launcher.kind === 'userns'
    ? ['unshare', ['--user', `--map-user=${launcher.uid}`, `--map-group=${launcher.gid}`, '--', bin, ...args], {}]
    : [bin, args, launcher.kind === 'setuid' ? { uid: launcher.uid, gid: launcher.gid } : {}];
  const name = bin.split('/').pop();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, argv, { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EACCES' && launcher.kind === 'setuid'
      ? unreachable(bin) : err));
    child.on('close', (code) => (code === 0 ? resolvePromise(output)
      : reject(new EmbeddedPostgresError(`${name} ${args[0]} failed (exit ${code}): ${lastLines(output)}`))));
  });
}

/** The `postgres` account cannot open a binary or the data folder: a parent folder is private. */
export function unreachable(path: string): EmbeddedPostgresError {
  return new EmbeddedPostgresError(`PostgreSQL cannot run as root, and the \`postgres\` account cannot reach ${path} (a parent folder is private, e.g. /root). ` +
    'Run the service as a non-root user, move the project and DATA_DIR under a folder others may enter (or chmod o+x its parents), or set DATABASE_URL.');
}

const lastLines = (s: string) => s.trim().split('\n').slice(-3).join(' / ').slice(-600);
