import { EXIT_OK, fail, oneLine, parseCommandArgs, withDatabase } from './args.js';

const USAGE = `usage: npx guardian migrate

Applies pending database migrations (numbered, append-only, under an advisory lock) to
DATABASE_URL, or to the embedded PostgreSQL in DATA_DIR. Safe to run while the service runs.`;

export default async function migrateCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {}, USAGE);
  if (typeof parsed === 'number') return parsed;
  try {
    const applied: string[] = [];
    // withDatabase applies pending migrations before running its function: nothing else to do.
    await withDatabase(async () => {}, { migrationLog: (m) => { applied.push(m); process.stdout.write(m + '\n'); } });
    if (applied.length === 0) process.stdout.write('database schema is up to date\n');
    return EXIT_OK;
  } catch (err) {
    return fail(`migrate failed: ${oneLine(err)}`);
  }
}
