import type pg from 'pg';
import { AccessService } from '../../api/services/access-service.js';
import { BuildingsService } from '../../api/services/buildings-service.js';
import { CommunitiesService } from '../../api/services/communities-service.js';
import { ContactsService } from '../../api/services/contacts-service.js';
import { GridsService } from '../../api/services/grids-service.js';
import { HouseholdRegisterService } from '../../api/services/household-register-service.js';
import { HouseholdsService } from '../../api/services/households-service.js';
import { ResidentsService } from '../../api/services/residents-service.js';
import { StreetsService } from '../../api/services/streets-service.js';
import { wallClock } from '../../domain/clock.js';
import type { Config } from '../../domain/config.js';
import { EXIT_OK, fail, oneLine, parseCommandArgs, positiveInt, str, usageError, UsageError, withDatabase, type Options, type Parsed } from './args.js';
import { table } from './format.js';
import { CLI_ACTOR, cliMessage } from './people-cli.js';

/**
 * `guardian street|community|grid|building|household|resident|contact …`: the register from the
 * terminal, through the same services as the API (validation, audit with before/after, the
 * soft retire), acting as the admin "cli".
 */
export interface Services {
  streets: StreetsService; communities: CommunitiesService; grids: GridsService; buildings: BuildingsService;
  households: HouseholdsService; householdRegister: HouseholdRegisterService; residents: ResidentsService; contacts: ContactsService;
}

export function registerServices(pool: pg.Pool, config: Config): Services {
  const access = new AccessService(pool, wallClock);
  return {
    streets: new StreetsService(pool, wallClock), communities: new CommunitiesService(pool, access, config, wallClock),
    grids: new GridsService(pool, wallClock), buildings: new BuildingsService(pool, wallClock),
    households: new HouseholdsService(pool, access, wallClock), householdRegister: new HouseholdRegisterService(pool, access, wallClock),
    residents: new ResidentsService(pool, access, wallClock), contacts: new ContactsService(pool, access, wallClock),
  };
}

type Kind = 'string' | 'number' | 'int' | 'list' | 'nullable';
/** flag → [body field, kind]. "nullable": the value "-" clears the field. */
export type Fields = Record<string, [string, Kind]>;

export interface RegisterCommand {
  name: string;
  usage: string;
  fields: Fields;
  /** Subcommand → what it does; positionals after the subcommand are passed on. */
  actions: Record<string, (s: Services, args: string[], body: Record<string, unknown>, p: Parsed) => Promise<unknown>>;
  /** Columns of `list`. */
  columns?: Array<[string, (row: Record<string, unknown>) => unknown]>;
}

const COMMON: Options = { json: { type: 'boolean' }, 'include-retired': { type: 'boolean' }, q: { type: 'string' }, limit: { type: 'string' } };

export function bodyOf(p: Parsed, fields: Fields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [flag, [key, kind]] of Object.entries(fields)) {
    const v = str(p, flag);
    if (v === undefined) continue;
    if (kind === 'nullable' && v === '-') body[key] = null;
    else if (kind === 'number' || kind === 'int') {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) throw new UsageError(`--${flag} must be a ${kind === 'int' ? 'whole ' : ''}number, got "${v}"`);
      body[key] = n;
    } else if (kind === 'list') body[key] = v.split(/[,、，]/).map((x) => x.trim()).filter(Boolean);
    else body[key] = v;
  }
  return body;
}

export async function runRegisterCommand(argv: string[], cmd: RegisterCommand): Promise<number> {
  const options: Options = { ...COMMON };
  for (const flag of Object.keys(cmd.fields)) options[flag] = { type: 'string' };
  const parsed = parseCommandArgs(argv, options, cmd.usage, { maxPositionals: 3 });
  if (typeof parsed === 'number') return parsed;
  const [sub, ...args] = parsed.positionals;
  const subs = Object.keys(cmd.actions);
  if (!sub) return usageError(`missing subcommand: ${subs.join(', ')}`, cmd.usage);
  const action = cmd.actions[sub];
  if (!action) return usageError(`unknown subcommand "${sub}": use ${subs.join(', ')}`, cmd.usage);
  try {
    const body = bodyOf(parsed, cmd.fields);
    return await withDatabase(async (pool, config) => {
      const result = await action(registerServices(pool, config), args, body, parsed);
      print(cmd, sub, result, parsed.values.json === true);
      return EXIT_OK;
    });
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, cmd.usage);
    return fail(`${cmd.name} ${sub}: ${cliMessage(err) ?? oneLine(err)}`);
  }
}

function print(cmd: RegisterCommand, sub: string, result: unknown, json: boolean) {
  if (json) { process.stdout.write(JSON.stringify(result) + '\n'); return; }
  const page = result as { items?: Array<Record<string, unknown>>; total?: number };
  if (sub === 'list' && page.items && cmd.columns) {
    process.stdout.write(table(cmd.columns.map(([h]) => h), page.items.map((r) => cmd.columns!.map(([, f]) => { const v = f(r); return v === null || v === undefined || v === '' ? '-' : String(v); }))));
    process.stdout.write(`${page.items.length} of ${page.total} ${cmd.name}(s)\n`);
    return;
  }
  const r = result as Record<string, unknown>;
  const label = r.name ?? r.unit ?? '';
  const state = r.retiredAt ? ' (retired)' : '';
  const verb = { add: 'added', edit: 'changed', move: 'moved', retire: 'retired', restore: 'restored', remove: 'removed' }[sub] ?? sub;
  if (sub === 'settings') { process.stdout.write(JSON.stringify(result, null, 2) + '\n'); return; }
  process.stdout.write(`${cmd.name} ${String(r.id)} ${verb}: ${String(label)}${state}\n`);
}

/** `list` paging flags, shared. */
export const listQuery = (p: Parsed) => ({
  q: str(p, 'q'), includeRetired: p.values['include-retired'] === true, limit: positiveInt(str(p, 'limit'), 'limit', 1000, 1000), offset: 0,
});

export function need(args: string[], what: string): string {
  if (!args[0]) throw new UsageError(`name the ${what}`);
  return args[0];
}

export function needInt(args: string[], what: string): number {
  const v = need(args, what);
  if (!/^\d+$/.test(v)) throw new UsageError(`the ${what} is a number, got "${v}"`);
  return Number(v);
}
