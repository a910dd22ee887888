import { appendFile, readFile, writeFile } from 'node:fs/promises';

/** One scenario's measured outcome (issue 7 acceptance: lost and duplicates 0 everywhere). */
export interface ChaosRow {
  scenario: string;
  faults: string;
  sent: number;
  pubacked: number;
  stored: number;
  routed: number;
  duplicates: number;
  lost: number;
  /** Other measured facts (latencies, RSS, session-present counts…). */
  notes: string;
  seconds: number;
}

export async function recordRow(file: string, row: ChaosRow): Promise<void> {
  await appendFile(file, JSON.stringify(row) + '\n');
  process.stdout.write(`\n${renderTable([row])}\n`);
}

export async function readRows(file: string): Promise<ChaosRow[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChaosRow);
}

export function renderTable(rows: ChaosRow[]): string {
  const head = '| scenario | faults injected | events sent | PUBACKed | stored | alerts routed | duplicates | lost | s | notes |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---:|---:|---|';
  const body = rows.map((r) => `| ${r.scenario} | ${r.faults} | ${r.sent} | ${r.pubacked} | ${r.stored} | ${r.routed} | ${r.duplicates} | ${r.lost} | ${r.seconds} | ${r.notes} |`);
  return [head, sep, ...body].join('\n');
}

const START = '<!-- chaos:start -->';
const END = '<!-- chaos:end -->';

/** The rows already in a section's table, by scenario (so a run of one scenario keeps the others). */
function rowsIn(section: string): ChaosRow[] {
  const rows: ChaosRow[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, ''));
    if (cells.length !== 10 || !/^\d/.test(cells[0]!)) continue;
    const n = (i: number) => Number(cells[i]);
    rows.push({ scenario: cells[0]!, faults: cells[1]!, sent: n(2), pubacked: n(3), stored: n(4), routed: n(5), duplicates: n(6), lost: n(7), seconds: n(8), notes: cells[9]! });
  }
  return rows;
}

/**
 * Replaces only the chaos section of bench/RESULTS.md (the bench suite writes the rest): the
 * rows of this run, and the latest row of every scenario this run did not include.
 */
export async function writeResultsSection(path: string, rows: ChaosRow[], when: Date): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => '');
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  const merged = new Map<string, ChaosRow>();
  if (a >= 0 && b > a) for (const r of rowsIn(current.slice(a, b))) merged.set(r.scenario, r);
  for (const r of rows) merged.set(r.scenario, r);
  const all = [...merged.values()].sort((x, y) => x.scenario.localeCompare(y.scenario));
  const section = [START, '## Chaos (`npm run chaos`)', '',
    `Updated ${when.toISOString()} (the latest run of each scenario). Real processes on loopback, real faults;`,
    'sent and PUBACKed are counted by the devices, stored, routed and duplicates in PostgreSQL; lost = PUBACKed but not stored.',
    'The machine: 2 cores shared with other work (load average ~10 during the runs), so times are pessimistic.', '',
    renderTable(all), END].join('\n');
  const next = a >= 0 && b > a
    ? current.slice(0, a) + section + current.slice(b + END.length)
    : (current ? current.replace(/\n*$/, '\n\n') : '# Results\n\n') + section + '\n';
  await writeFile(path, next);
}
