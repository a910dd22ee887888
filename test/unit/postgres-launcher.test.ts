import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { chooseLauncher, EmbeddedPostgresError } from '../../store/postgres-launcher.js';

/** Which way the embedded PostgreSQL is run (issue 21, item 0), by who starts it and what is there. */
const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function pgDir(withCluster: boolean): string {
  const d = mkdtempSync(join(tmpdir(), 'guardian-launcher-'));
  dirs.push(d);
  const pg = join(d, 'pg');
  mkdirSync(pg);
  if (withCluster) writeFileSync(join(pg, 'PG_VERSION'), '18\n');
  return pg;
}

const isRoot = process.getuid?.() === 0;

test('not root: the invoking user runs PostgreSQL itself', async () => {
  expect(await chooseLauncher(pgDir(false), { isRoot: false, userNamespacesWork: () => true })).toEqual({ kind: 'self' });
});

// These look up (and may create) the `postgres` account, which only root may do.
test.skipIf(!isRoot)('root: a user namespace where root is seen as postgres, so private folders stay reachable (skipped when not root)', async () => {
  const l = await chooseLauncher(pgDir(false), { isRoot: true, userNamespacesWork: () => true });
  expect(l.kind).toBe('userns');
  expect(l.kind === 'userns' && l.uid).toBeGreaterThan(0);
});

test.skipIf(!isRoot)('root without user namespaces: switches to the postgres account for a new cluster, refuses a root-owned one in one line (skipped when not root)', async () => {
  const probe = { isRoot: true, userNamespacesWork: () => false };
  expect((await chooseLauncher(pgDir(false), probe)).kind).toBe('setuid');
  const owned = pgDir(true); // created by root here
  await expect(chooseLauncher(owned, probe)).rejects.toThrow(EmbeddedPostgresError);
  await expect(chooseLauncher(owned, probe)).rejects.toThrow(/user namespaces.*non-root user.*DATABASE_URL/);
});

test.skipIf(!isRoot)('root with a cluster an earlier version made as another account: keeps running it as that account (skipped when not root)', async () => {
  const pg = pgDir(true);
  const { chownSync } = await import('node:fs');
  chownSync(pg, 4242, 4343);
  expect(await chooseLauncher(pg, { isRoot: true, userNamespacesWork: () => true })).toEqual({ kind: 'setuid', uid: 4242, gid: 4343 });
});
