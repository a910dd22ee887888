import { describe, expect, it } from 'vitest';
import { spreadMarkdown } from '../../bench/lib/spread-markdown.js';
import type { SuiteReport } from '../../bench/lib/suite-types.js';

const run = (startedAt: string, p99: string, met: boolean, failed = false): SuiteReport => ({
  startedAt, finishedAt: startedAt, quick: false, command: 'npm run bench', nodeProcessesAtStart: 1,
  machine: {} as SuiteReport['machine'],
  scenarios: [
    failed
      ? { id: 'escalation', title: 'Escalation', file: '5-escalation.ts', status: 'failed', error: 'did not finish', durationMs: 1, budgetMs: 1, load1Before: 0, load1After: 0 }
      : { id: 'escalation', title: 'Escalation', file: '5-escalation.ts', status: 'ok', durationMs: 1, budgetMs: 1, load1Before: 0, load1After: 0,
        result: { goals: [{ name: 'timer lateness p99', target: '< 150 ms', measured: p99, met }], tables: [], notes: [] } as never },
  ],
});

describe('bench --spread', () => {
  it('puts every run\'s figure of a goal side by side and counts the runs that met it, failures included', () => {
    const md = spreadMarkdown([
      { report: run('2026-12-06T14:00:00Z', '29 ms', true), file: 'a.json' },
      { report: run('2026-12-06T14:08:00Z', '171 ms', false), file: 'b.json' },
      { report: run('2026-12-06T14:16:00Z', '', false, true), file: 'c.json' },
    ]);
    expect(md).toContain('| scenario | goal | target | run 1 | run 2 | run 3 | met |');
    expect(md).toContain('| escalation | timer lateness p99 | < 150 ms | 29 ms | 171 ms | — | 1/3 |');
    expect(md).toContain('| escalation | (scenario failed) |  | — | — | did not finish | 0/3 |');
    expect(md).toContain('1 = `a.json` (2026-12-06T14:00:00Z');
  });
});
