import type { SuiteReport } from './suite-types.js';

const cell = (v: string) => v.replace(/\|/g, '\\|');

/**
 * Several runs of the same scenarios side by side (issue 21 item 7): every goal with what each
 * run measured and how many runs met it — the spread, not the best run.
 */
export function spreadMarkdown(runs: ReadonlyArray<{ report: SuiteReport; file: string }>): string {
  const goals = new Map<string, { scenario: string; name: string; target: string; measured: string[]; met: number }>();
  runs.forEach(({ report }, i) => {
    for (const s of report.scenarios) {
      const list = s.status === 'failed' ? [{ name: '(scenario failed)', target: '', measured: s.error ?? 'failed', met: false }] : s.result?.goals ?? [];
      for (const g of list) {
        const key = `${s.id}\u0000${g.name}`;
        const row = goals.get(key) ?? { scenario: s.id, name: g.name, target: g.target, measured: Array<string>(runs.length).fill('—'), met: 0 };
        row.measured[i] = g.measured;
        if (g.met) row.met++;
        goals.set(key, row);
      }
    }
  });
  const head = ['scenario', 'goal', 'target', ...runs.map((_, i) => `run ${i + 1}`), 'met'];
  return [
    `Runs: ${runs.map(({ report, file }, i) => `${i + 1} = \`${file}\` (${report.startedAt}, ${report.nodeProcessesAtStart} other node processes at start)`).join('; ')}.`, '',
    `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`,
    ...[...goals.values()].map((g) => `| ${[g.scenario, g.name, g.target, ...g.measured, `${g.met}/${runs.length}`].map(cell).join(' | ')} |`),
  ].join('\n');
}
