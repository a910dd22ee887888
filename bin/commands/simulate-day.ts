import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DAY_MS, localMidnight } from '../../simulators/clock.js';
import { buildDayReport, kpiTable, passiveTable, policyTable, type DayReport } from '../simulation/day-report.js';
import { runDay, type DayOptions } from '../simulation/day-run.js';
import { loadConfig } from '../runtime/load-config.js';
import type { IncidentKind } from '../../simulators/day/responder-model.js';
import { EXIT_OK, fail, oneLine, parseCommandArgs, positiveInt, str, usageError, UsageError, type Parsed } from './args.js';

const USAGE = `usage: npx guardian simulate day [options]

Plays a community day end to end on a virtual clock and exits: the real service (gateway,
dispatcher, API) over a private PostgreSQL and redis-server in a temporary directory, the demo
community seeded into it, every home's devices over MQTT, every responder's phone over HTTP
and the live feed. The clock jumps from one event to the next whenever the service is idle, so
24 hours take minutes and every instant is exact. Prints the product's own SLA report beside
the same KPIs computed from the simulation's ground truth; progress on stderr every 10 s.

  --homes N            homes of the demo community (default 200)
  --hours H            simulated hours (default 24)
  --start HH:MM        local start time (default 07:00)
  --date YYYY-MM-DD    local date of the start (default tomorrow)
  --seed S             the same seed (and date) gives the same incidents and decisions (default 1)
  --staffing seed|thin seed: the demo rosters; thin: one person per role at night (default seed)
  --incident-rate R    incidents per hour per 200 homes (default 2)
  --policy P           dispatch policy: nearest (page the nearest free people first, backups;
                       the service default), page_all (the whole tier at once, as before issue
                       15) or both: the same seed played once per policy, printed side by side
                       (default nearest)
  --no-night-pair      leave out the two SOS 40 s apart in one grid at 02:10 (issue 15's check)
  --incident-kinds K   only these kinds, comma-separated (sos_pressed, fall_radar, fall_no_radar,
                       collapse_evening, mistaken_press, smoke_cooking); e.g. the silent two to
                       measure the passive rules (default all, by their usual weights)
  --passive-policy P   learned|static|both: the service's PASSIVE_POLICY; both plays the same seed
                       twice, static then learned, and prints the passive measures side by side
                       (default learned)
  --history-days D     days of the homes' routine written into PostgreSQL before the window, for
                       the learned rules to learn from (default 28; 0 = none, the static floor)
  --json FILE          write everything (ledger, alerts with timelines, report, KPIs, agreement;
                       with more than one run: {"runs": [...]}, one per policy played)
  --keep               keep the temporary data directory (its path is printed)
  -h, --help           this help

DISPATCH_FIRST_WAVE, DISPATCH_WAVE_S, DISPATCH_NIGHT_READY_S, BACKUP_AFTER_S and BACKUP_MARGIN_S from the environment
apply to the simulated service (DISPATCH_POLICY comes from --policy).

The simulation never reads an outcome from a success rate: lateness comes from where responders
are, how they move, whether their phone is in reach at that hour, sleep and load. See README,
"A simulated community day", for the model and its limits.`;

const OPTIONS = {
  homes: { type: 'string' }, hours: { type: 'string' }, start: { type: 'string' }, date: { type: 'string' }, seed: { type: 'string' },
  staffing: { type: 'string' }, 'incident-rate': { type: 'string' }, json: { type: 'string' }, keep: { type: 'boolean' },
  policy: { type: 'string' }, 'no-night-pair': { type: 'boolean' },
  'passive-policy': { type: 'string' }, 'incident-kinds': { type: 'string' }, 'history-days': { type: 'string' },
} as const;

export default async function simulateDay(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE);
  if (typeof parsed === 'number') return parsed;
  let options: DayOptions;
  let policies: Array<'learned' | 'static'>;
  let dispatchPolicies: Array<'nearest' | 'page_all'>;
  try {
    options = dayOptions(parsed);
    const policy = str(parsed, 'passive-policy') ?? 'learned';
    if (policy !== 'learned' && policy !== 'static' && policy !== 'both') throw new UsageError(`--passive-policy must be learned, static or both, got "${policy}"`);
    policies = policy === 'both' ? ['static', 'learned'] : [policy];
    const dispatch = str(parsed, 'policy') ?? 'nearest';
    if (dispatch !== 'nearest' && dispatch !== 'page_all' && dispatch !== 'both') throw new UsageError(`--policy must be nearest, page_all or both, got "${dispatch}"`);
    dispatchPolicies = dispatch === 'both' ? ['nearest', 'page_all'] : [dispatch];
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    throw err;
  }
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const reports: DayReport[] = [];
  for (const policy of dispatchPolicies) for (const passivePolicy of policies) {
    const o: DayOptions = { ...options, policy, passivePolicy };
    err(`simulate day: ${o.homes} homes, ${o.hours} h from ${o.date} ${o.start} (${o.tz}), seed ${o.seed}, staffing ${o.staffing}, `
      + `dispatch ${policy}, passive ${passivePolicy}, ${o.historyDays} days of history`);
    let run;
    try {
      run = await runDay({ ...o, onProgress: err, log: err });
    } catch (e) {
      return fail(`simulate day failed: ${oneLine(e)}`);
    }
    try {
      const report = await buildDayReport(run, o, run.service.database.pool);
      const runs = dispatchPolicies.length * policies.length;
      process.stdout.write(`${runs > 1 ? `— dispatch ${policy}, passive rules ${passivePolicy} —\n` : ''}${kpiTable(report)}\n\n`);
      reports.push(report);
    } finally {
      await run.stop();
    }
  }
  process.stdout.write(`${policyTable(reports)}\n\n${passiveTable(reports)}\n`);
  const json = str(parsed, 'json');
  if (json) {
    await writeFile(resolve(json), JSON.stringify(reports.length === 1 ? reports[0] : { runs: reports }, null, 1));
    err(`simulate day: wrote ${resolve(json)}`);
  }
  return EXIT_OK;
}

function dayOptions(p: Parsed): DayOptions {
  const config = loadConfig();
  const start = str(p, 'start') ?? '07:00';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(start)) throw new UsageError(`--start must be HH:MM, got "${start}"`);
  const date = str(p, 'date') ?? tomorrow(config.GUARDIAN_TZ);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new UsageError(`--date must be YYYY-MM-DD, got "${date}"`);
  const staffing = str(p, 'staffing') ?? 'seed';
  if (staffing !== 'seed' && staffing !== 'thin') throw new UsageError(`--staffing must be seed or thin, got "${staffing}"`);
  const hours = Number(str(p, 'hours') ?? 24);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 60) throw new UsageError(`--hours must be a number from 0 to 1440, got "${str(p, 'hours')}"`);
  const incidentRate = Number(str(p, 'incident-rate') ?? 2);
  if (!Number.isFinite(incidentRate) || incidentRate < 0 || incidentRate > 1000) throw new UsageError(`--incident-rate must be a number from 0 to 1000, got "${str(p, 'incident-rate')}"`);
  return {
    homes: positiveInt(str(p, 'homes'), '--homes', 200, 5000), hours, date, start,
    seed: positiveInt(str(p, 'seed'), '--seed', 1, 2 ** 31), staffing, incidentRate,
    tz: config.GUARDIAN_TZ, dayShift: config.DAY_SHIFT, keepDataDir: p.values.keep === true, nightPair: p.values['no-night-pair'] !== true,
    incidentKinds: incidentKinds(str(p, 'incident-kinds')),
    historyDays: positiveIntOrZero(str(p, 'history-days'), '--history-days', 28, 90),
    // The dispatch settings of the environment apply to the simulated service (e.g. DISPATCH_WAVE_S=30).
    env: {
      DISPATCH_FIRST_WAVE: String(config.DISPATCH_FIRST_WAVE), DISPATCH_WAVE_S: String(config.DISPATCH_WAVE_S),
      BACKUP_AFTER_S: String(config.BACKUP_AFTER_S), BACKUP_MARGIN_S: String(config.BACKUP_MARGIN_S),
      DISPATCH_NIGHT_READY_S: String(config.DISPATCH_NIGHT_READY_S),
    },
  };
}

/** Tomorrow's local date: a day in the future, so the data seeded today lies in its past. */
function tomorrow(tz: string): string {
  const noon = localMidnight(Date.now(), tz) + DAY_MS + 12 * 3_600_000;
  return new Date(noon).toISOString().slice(0, 10);
}

function positiveIntOrZero(v: string | undefined, name: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${name} must be a whole number from 0 to ${max}, got "${v}"`);
  return n;
}

const INCIDENT_KINDS: readonly IncidentKind[] = ['sos_pressed', 'fall_radar', 'fall_no_radar', 'collapse_evening', 'mistaken_press', 'smoke_cooking'];

function incidentKinds(v: string | undefined): IncidentKind[] | undefined {
  if (v === undefined) return undefined;
  const kinds = v.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = kinds.find((k) => !INCIDENT_KINDS.includes(k as IncidentKind));
  if (bad || kinds.length === 0) throw new UsageError(`--incident-kinds takes a comma list of ${INCIDENT_KINDS.join(', ')}; got "${v}"`);
  return kinds as IncidentKind[];
}
