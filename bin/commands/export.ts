import { writeFile } from 'node:fs/promises';
import { RegisterImportService } from '../../api/services/register-import-service.js';
import { wallClock } from '../../domain/clock.js';
import { EXIT_OK, fail, oneLine, parseCommandArgs, str, usageError, withDatabase } from './args.js';
import { CLI_ACTOR } from './people-cli.js';

const USAGE = `usage: npx guardian export FILE [--community ID] [--template]

  Writes the register in the import's shape (same headers, one row per resident/contact), as
  XLSX or CSV by the file's extension; \`guardian import\` reads it back unchanged.
  --community ID   one community only
  --template       an empty template with one example household and instructions instead
  The file holds personal data: it is written 0600.`;

export default async function exportCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { community: { type: 'string' }, template: { type: 'boolean' } }, USAGE, { maxPositionals: 1 });
  if (typeof parsed === 'number') return parsed;
  const file = parsed.positionals[0];
  if (!file) return usageError('name the file to write (.xlsx or .csv)', USAGE);
  const format = /\.csv$/i.test(file) ? 'csv' : /\.xlsx$/i.test(file) ? 'xlsx' : null;
  if (!format) return usageError('the file must end in .xlsx or .csv', USAGE);
  try {
    return await withDatabase(async (pool) => {
      const service = new RegisterImportService(pool, wallClock);
      if (parsed.values.template) {
        await writeFile(file, await service.template(format), { mode: 0o600 });
        process.stdout.write(`template written to ${file}\n`);
        return EXIT_OK;
      }
      const { bytes, households } = await service.export(CLI_ACTOR, format, str(parsed, 'community'));
      await writeFile(file, bytes, { mode: 0o600 });
      process.stdout.write(`${households} household(s) written to ${file}\n`);
      return EXIT_OK;
    });
  } catch (err) {
    return fail(`export: ${oneLine(err)}`);
  }
}
