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

/** Replaces only the chaos section of bench/RESULTS.md (the bench suite writes the rest). */
export async function writeResultsSection(path: string, rows: ChaosRow[], when: Date): Promise<void> {
  const section = [START, '## Chaos (`npm run chaos`)', '',
    `Run ${when.toISOString()}: real processes on loopback, real faults, counts measured from the`,
    'devices (sent, PUBACKed) and from PostgreSQL (stored, routed, duplicates); lost = PUBACKed but not stored.', '',
    renderTable(rows), END].join('\n');
  const current = await readFile(path, 'utf8').catch(() => '');
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  const next = a >= 0 && b > a
    ? current.slice(0, a) + section + current.slice(b + END.length)
    : (current ? current.replace(/\n*$/, '\n\n') : '# Results\n\n') + section + '\n';
  await writeFile(path, next);
}
