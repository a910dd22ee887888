import { EXIT_OK, fail, oneLine, parseCommandArgs, positiveInt, str, usageError, UsageError, withDatabase, type Parsed } from './args.js';
import { table } from './format.js';
import { CLI_ACTOR, cliMessage, peopleService } from './people-cli.js';

const USAGE = `usage: npx guardian roster <add|list|remove> [options]

  roster add --responder <id> --weekdays <days> --from HH:MM --to HH:MM [--full-day]
      A weekly shift, local time in GUARDIAN_TZ. Days: 0 = Sunday … 6 = Saturday, as a list
      or a range ("1-5", "0,6", "all"). A shift that ends before it starts runs past midnight;
      one that ends when it starts lasts 24 hours and needs --full-day.
  roster add --responder <id> --date YYYY-MM-DD --from HH:MM --to HH:MM [--off] [--full-day]
      A dated override: an extra shift that day, or with --off, not on duty then.
  roster list [--responder <id>] [--json]
  roster remove <shift id>

Every change is in the audit log. The dispatcher checks for roster gaps at every shift start.`;

const OPTIONS = {
  responder: { type: 'string' }, weekdays: { type: 'string' }, date: { type: 'string' },
  from: { type: 'string' }, to: { type: 'string' }, off: { type: 'boolean' }, 'full-day': { type: 'boolean' },
  limit: { type: 'string' }, json: { type: 'boolean' },
} as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export default async function rosterCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE, { maxPositionals: 2 });
  if (typeof parsed === 'number') return parsed;
  const [sub, arg] = parsed.positionals;
  try {
    switch (sub) {
      case 'add': return await add(parsed);
      case 'list': return await list(parsed);
      case 'remove': return await remove(arg);
      case undefined: return usageError('missing subcommand: add, list or remove', USAGE);
      default: return usageError(`unknown subcommand "${sub}": use add, list or remove`, USAGE);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    return fail(`roster ${sub}: ${cliMessage(err) ?? oneLine(err)}`);
  }
}

/** "1-5" → [1..5], "0,6" → [0, 6], "all" → [0..6]. */
export function parseWeekdays(spec: string): number[] {
  if (spec === 'all') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^\s*([0-6])\s*(?:-\s*([0-6])\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--weekdays "${spec}": use days 0-6 (0 = Sunday) as "1-5", "0,6" or "all"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new UsageError(`--weekdays "${part.trim()}": a range goes from the lower day to the higher`);
    for (let d = from; d <= to; d++) days.add(d);
  }
  return [...days].sort();
}

function time(p: Parsed, flag: 'from' | 'to'): string {
  const v = str(p, flag);
  if (!v || !HHMM.test(v)) throw new UsageError(`--${flag} HH:MM is required (local time), got "${v ?? ''}"`);
  return v;
}

async function add(p: Parsed): Promise<number> {
  const responderId = str(p, 'responder');
  if (!responderId) throw new UsageError('--responder <id> is required');
  const starts = time(p, 'from');
  const ends = time(p, 'to');
  const weekdays = str(p, 'weekdays');
  const date = str(p, 'date');
  if ((weekdays === undefined) === (date === undefined)) throw new UsageError('give either --weekdays (a weekly shift) or --date (an override)');
  if (date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))) throw new UsageError(`--date must be YYYY-MM-DD, got "${date}"`);
  if (p.values.off && date === undefined) throw new UsageError('--off applies to a dated override (--date) only');
  const fullDay = Boolean(p.values['full-day']);
  const shifts = date !== undefined
    ? [{ responderId, onDate: date, starts, ends, offDuty: Boolean(p.values.off), fullDay }]
    : parseWeekdays(weekdays!).map((weekday) => ({ responderId, weekday, starts, ends, fullDay }));
  return withDatabase(async (pool, config) => {
    const people = peopleService(pool, config);
    for (const s of shifts) {
      const row = await people.addRoster(CLI_ACTOR, s);
      process.stdout.write(`shift ${row.id}: ${row.responderName} ${describe(row)}\n`);
    }
    return EXIT_OK;
  });
}

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
function describe(s: { weekday: number | null; onDate: string | null; starts: string; ends: string; offDuty: boolean }): string {
  const when = s.onDate ?? `every ${WEEKDAY[s.weekday!]}`;
  return `${when} ${s.starts}-${s.ends}${s.offDuty ? ' off duty' : ''}`;
}

async function list(p: Parsed): Promise<number> {
  const limit = positiveInt(str(p, 'limit'), 'limit', 1000, 100_000);
  return withDatabase(async (pool, config) => {
    const { items, total } = await peopleService(pool, config).rosters(CLI_ACTOR, { responderId: str(p, 'responder'), limit, offset: 0 });
    if (p.values.json) {
      process.stdout.write(JSON.stringify({ items, total }) + '\n');
      return EXIT_OK;
    }
    process.stdout.write(table(['id', 'responder', 'role', 'when'], items.map((s) => [String(s.id), `${s.responderName} (${s.responderId})`, s.responderRole, describe(s)])));
    process.stdout.write(`${items.length} of ${total} shift(s)\n`);
    return EXIT_OK;
  });
}

async function remove(arg: string | undefined): Promise<number> {
  const id = Number(arg);
  if (!arg || !Number.isInteger(id) || id <= 0) throw new UsageError('usage: roster remove <shift id> (see roster list)');
  return withDatabase(async (pool, config) => {
    const gone = await peopleService(pool, config).removeRoster(CLI_ACTOR, id);
    process.stdout.write(`shift ${id} removed: ${gone.responderName} ${describe(gone)}\n`);
    return EXIT_OK;
  });
}
