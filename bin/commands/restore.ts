import { resolve } from 'node:path';
import { BackupError, restoreDatabase } from '../../store/backup.js';
import { openDatabase } from '../runtime/database.js';
import { loadConfig } from '../runtime/load-config.js';
import { runningService } from '../runtime/service-file.js';
import { EXIT_OK, fail, logToStderr, oneLine, parseCommandArgs, usageError } from './args.js';

const USAGE = `usage: npx guardian restore FILE [--force]

Restores a backup made by \`npx guardian backup\` into the database (DATABASE_URL, or the embedded
one in DATA_DIR), which must hold no data: restore into a fresh one. The restore is one
transaction: it lands whole or not at all.

  --force      replace everything the database holds with the backup
  -h, --help   this help

Stop the service first (for the embedded database this is checked). A snapshot restores only
into the schema version that made it: use the same release, then upgrade.

On TimescaleDB a pg_dump archive is restored by TimescaleDB's procedure (timescaledb_pre_restore,
pg_restore into an empty database, timescaledb_post_restore). With --force over a database that
holds data it is restored into a new database beside it, which then takes its name; the replaced
one is kept as <name>_before_restore_<time> (needs CREATEDB and ownership of the database).`;

const OPTIONS = { force: { type: 'boolean' } } as const;

export default async function restoreCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE, { maxPositionals: 1 });
  if (typeof parsed === 'number') return parsed;
  const [file] = parsed.positionals;
  if (!file) return usageError('restore needs the backup file', USAGE);
  try {
    const config = loadConfig();
    const running = config.DATABASE_URL ? null : runningService(config.DATA_DIR);
    if (running) return fail(`a service (pid ${running.pid}) runs on DATA_DIR=${config.DATA_DIR}; stop it before restoring`);
    const db = await openDatabase(config, logToStderr, 4);
    try {
      const started = Date.now();
      logToStderr(`restore: ${resolve(file)}`);
      const result = await restoreDatabase(db.pool, db.url, resolve(file), { force: parsed.values.force === true, progress: logToStderr });
      const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
      process.stdout.write(`restored: ${resolve(file)} (${result.format}${result.format === 'snapshot' ? `, ${Object.keys(result.rows).length} tables, ${total} rows` : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      if (result.keptAs) process.stdout.write(`the replaced database is kept as "${result.keptAs}"\n`);
      return EXIT_OK;
    } finally {
      await db.close();
    }
  } catch (err) {
    return fail(`restore failed: ${err instanceof BackupError ? err.message : oneLine(err)}`);
  }
}
