import { readdir } from 'node:fs/promises';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scenario } from '../scenario.js';
import { stopAllTracked } from './cleanup-registry.js';
import { conditions, machineInfo } from './machine-info.js';
import { resultsMarkdown } from './results-markdown.js';
import type { ScenarioOutcome, SuiteReport } from './suite-types.js';

export const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));
const SCENARIO_DIR = join(BENCH_DIR, 'scenarios');

/**
 * Wall-clock budgets per scenario id: the performance scenarios stay under 10 minutes. Connections
 * ramps raw aedes for up to 80 s (~185 CONNECT/s) before the two gateways; at 230 s the pair was
 * left ~65 s and stopped its ramp at 28,030 and 37,107 of 38,000 in two of three runs. The care
 * scenario plays four simulated days (two staffings × two dispatch policies, issue 15), each
 * 2–5 minutes on a quiet 2-core machine and up to 9 on a busy one.
 */
const BUDGET_MS: Record<string, number> = {
  ingest: 75_000, 'alert-path': 85_000, 'sos-puback': 70_000, connections: 300_000, escalation: 70_000, console: 65_000, retention: 120_000,
  // The care figures every dispatch change is judged by (issues 14 and 15).
  care: 2_400_000,
  // Two 48-hour runs of 72 homes with 28 days of history (issue 19): static, then learned.
  passive: 1_800_000,
};
// Quick mode checks correctness on a machine that may be busy: room for slow process starts.
const QUICK_BUDGET_MS = 120_000;
/** Grace after the budget before the runner gives up on a scenario that does not stop by itself. */
const OVERRUN_MS = 30_000;

export interface LoadedScenario { file: string; scenario: Scenario }

/** Every module of bench/scenarios/ in file-name order (1-…, 2-…, 10-… numerically). */
export async function loadScenarios(): Promise<LoadedScenario[]> {
  const files = (await readdir(SCENARIO_DIR)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const loaded: LoadedScenario[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(SCENARIO_DIR, file)).href)) as { default?: Scenario };
    const s = mod.default;
    if (!s || typeof s.id !== 'string' || typeof s.run !== 'function') throw new Error(`bench/scenarios/${file} does not default-export a Scenario`);
    loaded.push({ file, scenario: s });
  }
  return loaded;
}

export interface SuiteOptions {
  quick: boolean;
  ids: string[];
  resultsDir: string;
  markdown: boolean;
  command: string;
  out: (line: string) => void;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(what)), ms); })])
    .finally(() => clearTimeout(timer));
}

/** Runs the chosen scenarios one after another; writes the JSON (and RESULTS.md). Returns the report. */
export async function runSuite(opts: SuiteOptions): Promise<{ report: SuiteReport; jsonPath: string; markdownPath: string | null }> {
  const all = await loadScenarios();
  const unknown = opts.ids.filter((id) => !all.some((s) => s.scenario.id === id));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${all.map((s) => s.scenario.id).join(', ')}`);
  const chosen = opts.ids.length ? all.filter((s) => opts.ids.includes(s.scenario.id)) : all;
  const startedAt = new Date();
  const report: SuiteReport = {
    startedAt: startedAt.toISOString(), finishedAt: '', quick: opts.quick, command: opts.command,
    machine: await machineInfo(), nodeProcessesAtStart: conditions().nodeProcesses, scenarios: [],
  };
  const m = report.machine;
  opts.out(`bench: ${m.cpu} × ${m.cores}, node ${m.node}, aedes ${m.aedes}, PostgreSQL ${m.postgresql}, Redis ${m.redis}, Mosquitto ${m.mosquitto ?? 'absent'}`);
  opts.out(`bench: ${chosen.length} scenario(s)${opts.quick ? ' in --quick mode' : ''}: ${chosen.map((s) => s.scenario.id).join(', ')}`);
  for (const { file, scenario } of chosen) {
    const budgetMs = opts.quick ? QUICK_BUDGET_MS : (BUDGET_MS[scenario.id] ?? 120_000);
    const log = (message: string) => opts.out(`[${scenario.id}] ${message}`);
    const before = conditions().load1;
    const t0 = performance.now();
    log(`${scenario.title} (budget ${Math.round(budgetMs / 1000)} s)`);
    const outcome: ScenarioOutcome = { id: scenario.id, title: scenario.title, file, status: 'ok', durationMs: 0, budgetMs, load1Before: before, load1After: before };
    try {
      outcome.result = await withTimeout(scenario.run({ quick: opts.quick, log, budgetMs }), budgetMs + OVERRUN_MS,
        `did not finish within its budget of ${Math.round(budgetMs / 1000)} s (+${OVERRUN_MS / 1000} s grace)`);
      for (const g of outcome.result.goals) log(`goal ${g.name}: ${g.target}, measured ${g.measured} → ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}`);
    } catch (err) {
      outcome.status = 'failed';
      outcome.error = err instanceof Error ? err.message : String(err);
      log(`FAILED: ${outcome.error}`);
    } finally {
      const leftovers = await stopAllTracked();
      if (leftovers && outcome.status === 'failed') log(`stopped ${leftovers} process(es)/database(s) it left running`);
    }
    outcome.durationMs = Math.round(performance.now() - t0);
    outcome.load1After = conditions().load1;
    log(`${outcome.status} in ${(outcome.durationMs / 1000).toFixed(1)} s`);
    report.scenarios.push(outcome);
  }
  report.finishedAt = new Date().toISOString();
  await mkdir(opts.resultsDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const jsonPath = join(opts.resultsDir, `${opts.quick ? 'quick-' : ''}${stamp}.json`);
  await writeFile(jsonPath, JSON.stringify(report, null, 2) + '\n');
  let markdownPath: string | null = null;
  if (opts.markdown) {
    markdownPath = join(BENCH_DIR, 'RESULTS.md');
    await writeFile(markdownPath, keepChaosSection(resultsMarkdown(report, relative(BENCH_DIR, jsonPath), all.map((s) => s.scenario.id)), await readFile(markdownPath, 'utf8').catch(() => '')));
  }
  return { report, jsonPath, markdownPath };
}

/** `npm run chaos` owns the block between its markers in RESULTS.md (test/chaos/lib/report.ts); a bench run keeps it. */
export function keepChaosSection(fresh: string, previous: string): string {
  const m = /<!-- chaos:start -->[\s\S]*?<!-- chaos:end -->/.exec(previous);
  return m ? `${fresh.trimEnd()}\n\n${m[0]}\n` : fresh;
}
