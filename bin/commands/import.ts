import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { RegisterImportService, type ImportReport } from '../../api/services/register-import-service.js';
import { wallClock } from '../../domain/clock.js';
import { issueText } from '../../domain/register-messages.js';
import { EXIT_FAIL, EXIT_OK, fail, logToStderr, oneLine, parseCommandArgs, usageError, withDatabase } from './args.js';
import { CLI_ACTOR } from './people-cli.js';

const USAGE = `usage: npx guardian import FILE --dry-run|--apply [--json]

  Imports the register (communities, grids, buildings, households, residents, contacts) from an
  XLSX or CSV file with the Chinese headers communities use (社区, 网格, 楼栋, 户号, 地址, 老人姓名,
  性别, 出生年份, 身体状况, 独居, 钥匙/门禁说明, 联系人, 关系, 电话…). Get the template with
  \`npx guardian export --template FILE\`.
  --dry-run   check every row and say what would change; writes nothing
  --apply     check, then write everything in one transaction (or nothing if any row is wrong);
              households are matched by their code (户号), so importing again updates, never duplicates
  Messages follow LANG (zh_CN… → Chinese).`;

/** The language of the person at the terminal. */
export function cliLang(): 'zh' | 'en' {
  return /^zh/i.test(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '') ? 'zh' : 'en';
}

export default async function importCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { 'dry-run': { type: 'boolean' }, apply: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE, { maxPositionals: 1 });
  if (typeof parsed === 'number') return parsed;
  const file = parsed.positionals[0];
  if (!file) return usageError('name the file to import', USAGE);
  const dry = parsed.values['dry-run'] === true, apply = parsed.values.apply === true;
  if (dry === apply) return usageError('say --dry-run (check only) or --apply (check and write)', USAGE);
  let bytes: Buffer;
  try { bytes = await readFile(file); } catch (err) { return fail(`import: ${oneLine(err)}`); }
  try {
    return await withDatabase(async (pool) => {
      const service = new RegisterImportService(pool, wallClock);
      let lastLine = 0;
      const progress = (phase: string, done: number, total: number) => {
        const now = Date.now();
        if (now - lastLine < 1000 && done !== total) return;
        lastLine = now;
        logToStderr(`import: ${phase} ${done}/${total}`);
      };
      const report = apply ? await service.apply(CLI_ACTOR, bytes, basename(file), progress) : await service.check(CLI_ACTOR, bytes, basename(file), progress);
      print(report, parsed.values.json === true, apply);
      return report.issueCount > 0 ? EXIT_FAIL : EXIT_OK;
    });
  } catch (err) {
    return fail(`import: ${oneLine(err)}`);
  }
}

function print(r: ImportReport, json: boolean, apply: boolean) {
  if (json) { process.stdout.write(JSON.stringify(r) + '\n'); return; }
  const lang = cliLang();
  if (r.issueCount > 0) {
    for (const i of r.issues) process.stdout.write(issueText(i, lang) + '\n');
    if (r.issueCount > r.issues.length) process.stdout.write(`… ${r.issueCount - r.issues.length} more\n`);
    process.stdout.write(lang === 'zh' ? `${r.issueCount} 处问题，未写入任何数据。改正后再导入。\n` : `${r.issueCount} issue(s); nothing was written. Correct the file and import again.\n`);
    return;
  }
  const c = r.counts!;
  const verb = apply ? (lang === 'zh' ? '已导入' : 'imported') : (lang === 'zh' ? '试导入（未写入）' : 'dry run (nothing written)');
  process.stdout.write(`${verb}: ${r.rows} rows, ${r.households} households — new: ${c.communities} communities, ${c.grids} grids, ${c.buildings} buildings, `
    + `${c.households} households, ${c.residents} residents, ${c.contacts} contacts; updated: ${c.householdsUpdated} households, `
    + `${c.residentsUpdated} residents, ${c.contactsUpdated} contacts; retired residents: ${c.residentsRetired}; removed contacts: ${c.contactsRemoved}; `
    + `unchanged households: ${c.householdsUnchanged}${r.seconds !== undefined ? `; ${r.seconds} s` : ''}\n`);
}
