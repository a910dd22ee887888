import { resolve } from 'node:path';
import { BackupError, backupDatabase, chooseFormat, type BackupFormat } from '../../store/backup.js';
import { migrate } from '../../store/migrate.js';
import { openDatabase } from '../runtime/database.js';
import { loadConfig } from '../runtime/load-config.js';
import { EXIT_OK, fail, logToStderr, oneLine, parseCommandArgs, str, usageError } from './args.js';

const USAGE = `usage: npx guardian backup [--out FILE] [--format auto|snapshot|pg_dump]

Backs up the database (DATABASE_URL, or the embedded one in DATA_DIR — also while the service
runs: the backup is one consistent snapshot and does not stop it).

  --out FILE     where to write (default ./guardian-backup-<UTC time>.jsonl.gz, or .pgdump)
  --format F     auto (default): pg_dump when one on PATH is at least the server's major version,
                 else our own snapshot (gzipped JSON lines of every table, in one REPEATABLE
                 READ transaction); snapshot or pg_dump to choose
  -h, --help     this help

The file holds personal data and device secret hashes: it is written 0600; keep it safe.
Restore it with: npx guardian restore FILE`;

const OPTIONS = { out: { type: 'string' }, format: { type: 'string' } } as const;

export default async function backupCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE);
  if (typeof parsed === 'number') return parsed;
  const format = str(parsed, 'format') ?? 'auto';
  if (!['auto', 'snapshot', 'pg_dump'].includes(format)) return usageError(`--format must be auto, snapshot or pg_dump, got "${format}"`, USAGE);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  try {
    const config = loadConfig();
    const db = await openDatabase(config, logToStderr, 4);
    try {
      await migrate(db.pool, logToStderr);
      const out = str(parsed, 'out');
      const chosen = format as BackupFormat | 'auto';
      const ext = (f: string) => (f === 'pg_dump' ? 'pgdump' : 'jsonl.gz');
      const effective = chosen === 'auto' ? (await chooseFormat(db.pool)) : { format: chosen, reason: `--format ${chosen}` };
      const file = resolve(out ?? `guardian-backup-${stamp}.${ext(effective.format)}`);
      logToStderr(`backup: ${effective.format} (${effective.reason}) → ${file}`);
      const started = Date.now();
      const result = await backupDatabase(db.pool, db.url, file, { format: effective.format, progress: logToStderr });
      const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
      process.stdout.write(`backup written: ${result.file} (${result.format}, ${result.bytes} bytes${result.format === 'snapshot' ? `, ${Object.keys(result.rows).length} tables, ${total} rows` : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      return EXIT_OK;
    } finally {
      await db.close();
    }
  } catch (err) {
    return fail(`backup failed: ${err instanceof BackupError ? err.message : oneLine(err)}`);
  }
}
