import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runningPostmaster } from '../../store/embedded-postgres.js';
import { freePort } from '../../store/ports.js';
import { alivePidFromFile } from '../../store/process-alive.js';
import { bannerUrl, spawnGuardian } from '../helpers/cli.js';
import { waitFor } from '../helpers/db.js';

/**
 * The first start of a new user (issue 21, item 0): `git clone` into a private folder such as
 * /root/x (0700 parents, the usual case in a VM or a container) and `npm start` as root. The
 * embedded PostgreSQL must not run as root, and the account it ran as could not enter the
 * folder: neither the binaries in node_modules nor DATA_DIR. This copies the project (sources
 * and a hard-linked node_modules) into a 0700 folder and starts it there, as root.
 */
const ROOT = join(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;
let home: string;
let clone: string;
const children: ChildProcess[] = [];

/** The project as a clone has it (not node_modules, data or .git), plus a hard-linked node_modules. */
async function copyProject(to: string): Promise<void> {
  const skip = new Set(['node_modules', '.git', 'data']);
  await cp(ROOT, to, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src).split(sep)[0]!) });
  // Hard links: the same files at no copying cost, but reached through the private folder.
  execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(to, 'node_modules')]);
}

function start(env: Record<string, string>) {
  // Not root: no copy was made, and the failure test runs from the worktree itself.
  const p = spawnGuardian(['start'], { HOME: home, MQTT_PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, { cwd: isRoot ? clone : ROOT });
  children.push(p.child);
  return p;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'guardian-home-'));
  await chmod(home, 0o700);
  clone = join(home, 'x');
  await mkdir(clone);
  if (isRoot) await copyProject(clone);
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  // Whatever a failed run left behind, stopped by its recorded pid (never by name).
  const pm = runningPostmaster(join(clone, 'data/pg'));
  if (pm) process.kill(pm, 'SIGINT');
  const redis = alivePidFromFile(join(clone, 'data/redis/redis.pid'));
  if (redis) process.kill(redis, 'SIGTERM');
  await waitFor(() => !runningPostmaster(join(clone, 'data/pg')), { timeoutMs: 15_000, what: 'postmaster stopped' }).catch(() => {});
  await rm(home, { recursive: true, force: true });
});

test.skipIf(!isRoot)('as root from a clone in a 0700 folder: `npm start` comes up, its database in ./data (skipped when not root: the failure is root\'s alone, PostgreSQL then runs as another account)', async () => {
  const svc = start({});
  try {
    const url = await Promise.race([
      waitFor(() => bannerUrl(svc), { timeoutMs: 90_000, what: 'the banner' }),
      svc.exit.then((code) => {
        if (!/Console \+ API/.test(svc.out())) throw new Error(`exited with ${code} before the banner: ${svc.err().slice(-800)}`);
        return '';
      }),
    ]);
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 30_000, what: '/readyz 200' });
    const password = /login\s+admin \/ (\S+)/.exec(svc.out())?.[1];
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    // The cluster lives where the README says, owned by the user who started it; the
    // password handed to initdb is gone, and nothing went wrong on stderr.
    expect(statSync(join(clone, 'data/pg/PG_VERSION')).uid).toBe(0);
    expect(existsSync(join(clone, 'data/.pgpass.init'))).toBe(false);
    expect(statSync(join(clone, 'data/pg.json')).mode & 0o077).toBe(0);
    expect(svc.err()).not.toMatch(/\n\s+at /);
  } finally {
    svc.child.kill('SIGTERM');
  }
  expect(await svc.exit).toBe(0);
  expect(runningPostmaster(join(clone, 'data/pg'))).toBeNull();
}, 180_000);

test('a start that fails says what to do in one line, never a stack trace', async () => {
  const port = await freePort();
  const svc = start({ DATABASE_URL: `postgres://guardian:x@127.0.0.1:${port}/guardian`, REDIS_URL: 'redis://127.0.0.1:1', DATA_DIR: join(home, 'd2') });
  try {
    expect(await svc.exit).toBe(1);
  } finally {
    if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
  }
  const lines = svc.err().trim().split('\n');
  expect(lines.at(-1)).toMatch(new RegExp(`^guardian: could not start: cannot connect to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. Check .*DATABASE_URL`));
  expect(svc.err()).not.toMatch(/\n\s+at /);
}, 60_000);
