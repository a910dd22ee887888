import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { stopAllTracked } from '../../bench/lib/cleanup-registry.js';
import { BENCH_DIR, runSuite } from '../../bench/lib/run-suite.js';
import { spreadMarkdown } from '../../bench/lib/spread-markdown.js';
import type { SuiteReport } from '../../bench/lib/suite-types.js';
import { EXIT_FAIL, EXIT_OK, parseCommandArgs, usageError } from './args.js';

const USAGE = `usage: npm run bench [-- [--quick] [scenario-id …]]
       npx guardian bench [--quick] [--results-dir DIR] [--no-markdown] [scenario-id …]
       npx guardian bench --spread RESULT.json …

Runs the benchmark scenarios of bench/scenarios/ in file-name order, each with its own private
PostgreSQL, redis-server, brokers and load generators on ephemeral loopback ports.
Writes bench/results/<timestamp>.json and, when the whole suite ran in full, bench/RESULTS.md.

  --quick            tiny counts, correctness checks only (the smoke test in npm test)
  --results-dir DIR  where the JSON goes (default bench/results)
  --no-markdown      do not rewrite bench/RESULTS.md
  --markdown         rewrite it even in --quick mode or for chosen scenarios
  --spread           measure nothing: print the goals of the given result files side by side
                     (consecutive runs: the spread, not the best run) as a markdown table`;

/** \`guardian bench\`: exit 0 when every scenario ran (goals met or not), 1 when one failed. */
export default async function bench(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    quick: { type: 'boolean' }, 'results-dir': { type: 'string' }, 'no-markdown': { type: 'boolean' }, markdown: { type: 'boolean' },
    spread: { type: 'boolean' },
  }, USAGE, { maxPositionals: 20 });
  if (typeof parsed === 'number') return parsed;
  if (parsed.values.spread === true) return printSpread(parsed.positionals);
  const quick = parsed.values.quick === true;
  // Ctrl-C: stop every process and database the bench started before leaving.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`guardian bench: ${signal}, stopping what the bench started\n`);
    void stopAllTracked().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A bug that escapes a scenario must not leave PostgreSQL, redis-server or their temp folders behind.
  const onCrash = (err: unknown) => {
    process.stderr.write(`guardian bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\nstopping what the bench started\n`);
    void stopAllTracked().finally(() => process.exit(1));
  };
  process.once('uncaughtException', onCrash);
  process.once('unhandledRejection', onCrash);
  const out = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  try {
    const { report, jsonPath, markdownPath } = await runSuite({
      quick, ids: parsed.positionals,
      resultsDir: typeof parsed.values['results-dir'] === 'string' ? parsed.values['results-dir'] : join(BENCH_DIR, 'results'),
      // RESULTS.md holds one whole run: a single scenario must not replace the others' figures.
      markdown: parsed.values.markdown === true || (!quick && parsed.positionals.length === 0 && parsed.values['no-markdown'] !== true),
      command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
      out,
    });
    out(`results: ${jsonPath}${markdownPath ? `, ${markdownPath}` : ''}`);
    const failed = report.scenarios.filter((s) => s.status === 'failed');
    for (const s of report.scenarios) {
      const goals = s.result?.goals ?? [];
      out(`${s.status === 'ok' ? 'ok    ' : 'FAILED'} ${s.id.padEnd(12)} ${goals.filter((g) => g.met).length}/${goals.length} goals met${s.error ? ` — ${s.error}` : ''}`);
    }
    return failed.length ? EXIT_FAIL : EXIT_OK;
  } catch (err) {
    process.stderr.write(`guardian bench: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAIL;
  }
}

async function printSpread(files: string[]): Promise<number> {
  if (files.length === 0) return usageError('--spread needs the result files to compare, e.g. bench/results/*.json', USAGE);
  const runs: Array<{ report: SuiteReport; file: string }> = [];
  for (const file of files) {
    try {
      runs.push({ report: JSON.parse(await readFile(file, 'utf8')) as SuiteReport, file: basename(file) });
    } catch (err) {
      process.stderr.write(`guardian bench: cannot read ${file}: ${err instanceof Error ? err.message : String(err)} (give result files written by npm run bench)\n`);
      return EXIT_FAIL;
    }
  }
  process.stdout.write(`${spreadMarkdown(runs)}\n`);
  return EXIT_OK;
}
