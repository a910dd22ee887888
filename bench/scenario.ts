/**
 * One benchmark scenario (issue 6). `npm run bench` runs every module in bench/scenarios/ in
 * file-name order (`1-ingest.ts`, `2-alert-path.ts`, …); each default-exports a Scenario.
 * A scenario starts its own private PostgreSQL / redis-server / broker on ephemeral ports,
 * measures its baselines in the same run, stops everything it started and stays within
 * `budgetMs`. `quick` is the smoke mode run inside `npm test`: tiny counts, correctness only.
 */
export interface ScenarioContext {
  quick: boolean;
  /** Progress lines for the operator (already prefixed with the scenario name by the runner). */
  log: (message: string) => void;
  /** Wall-clock budget for the whole scenario; stop early and say so in `notes` when it runs out. */
  budgetMs: number;
}

export interface ResultTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface Goal {
  /** e.g. "ingest msg/s vs raw aedes" */
  name: string;
  /** e.g. "≥ 0.6 ×" */
  target: string;
  /** e.g. "0.72 × (41,200 vs 57,100 msg/s)" */
  measured: string;
  /** null when not measured in this run (say why in notes) */
  met: boolean | null;
}

export interface ScenarioResult {
  tables: ResultTable[];
  goals: Goal[];
  /** What bounds a figure, what was skipped and why. */
  notes: string[];
  /** Correctness counters the quick smoke test asserts on (e.g. sent, stored, lost, duplicates). */
  checks: Record<string, number | boolean>;
  /** Everything measured, for bench/results/<timestamp>.json. */
  raw: Record<string, unknown>;
}

export interface Scenario {
  /** Short id used on the command line: `npm run bench -- ingest`. */
  id: string;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
