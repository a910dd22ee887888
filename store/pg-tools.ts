import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import { BackupError } from './backup-error.js';

/**
 * PostgreSQL's client tools (pg_dump, pg_restore) as backup and restore run them, and the
 * connections a restore opens besides the service's pool (store/backup.ts, store/timescale-restore.ts).
 */
export type Progress = (message: string) => void;

/** The major version of a PostgreSQL client tool on PATH, or null when there is none. */
export function toolMajor(tool: 'pg_dump' | 'pg_restore'): number | null {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) return null;
  const m = /\)\s*(\d+)/.exec(r.stdout) ?? /(\d+)\.\d+/.exec(r.stdout);
  return m ? Number(m[1]) : null;
}

/** Connection details for the client tools, the password in the environment (never on argv). */
export function toolEnv(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) };
  const args = ['--host', u.hostname, '--port', u.port || '5432', '--username', decodeURIComponent(u.username), '--dbname', databaseOf(url)];
  return { args, env };
}

/**
 * Runs a client tool; its stderr goes to `progress` (less what `quiet` drops) when it succeeds,
 * and its last lines into the error when it fails.
 */
export function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv, progress: Progress, quiet: (lines: string[]) => string[] = (l) => l): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.once('error', (err) => reject(new BackupError(`${tool} could not run: ${err.message}`)));
    child.once('close', (code) => {
      if (code === 0) { for (const line of quiet(stderr.split('\n').filter(Boolean))) progress(line); resolve(stdout); }
      else reject(new BackupError(`${tool} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Whether a pg_dump archive was made of a TimescaleDB database (its table of contents has the extension). */
export async function archiveHasTimescale(file: string): Promise<boolean> {
  const toc = await runTool('pg_restore', ['--list', file], process.env, () => {});
  return toc.split('\n').some((line) => / EXTENSION - timescaledb\b/.test(line));
}

/** The database a URL names. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** The same server and credentials, another database. */
export function withDatabaseName(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

/** A connection of its own (not from a pool): a restore ends it before renaming databases. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'guardian-restore' });
  client.on('error', () => {});
  await client.connect();
  return client;
}
