import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { readRows, renderTable, writeResultsSection } from './lib/report.js';

declare module 'vitest' {
  export interface ProvidedContext { chaosRowsFile: string }
}

const RESULTS = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));

/** Collects each scenario's row; at the end prints the table and writes the RESULTS.md section. */
export default async function setup(project: TestProject) {
  const file = join(tmpdir(), `guardian-chaos-rows-${process.pid}.jsonl`);
  await rm(file, { force: true });
  project.provide('chaosRowsFile', file);
  return async () => {
    const rows = (await readRows(file)).sort((a, b) => a.scenario.localeCompare(b.scenario));
    await rm(file, { force: true });
    if (rows.length === 0) return;
    process.stdout.write(`\nChaos summary\n${renderTable(rows)}\n`);
    // A partial run (one scenario picked with -t or a file filter) must not replace the full table.
    if (process.env.CHAOS_WRITE_RESULTS !== '0') await writeResultsSection(RESULTS, rows, new Date());
  };
}
