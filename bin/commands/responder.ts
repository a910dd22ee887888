import { EXIT_OK, fail, oneLine, parseCommandArgs, positiveInt, str, usageError, UsageError, withDatabase, type Parsed } from './args.js';
import { table } from './format.js';
import { CLI_ACTOR, cliMessage, peopleService } from './people-cli.js';
import { RESPONDER_ROLES, type ResponderRole } from '../../domain/roster.js';

const USAGE = `usage: npx guardian responder <add|list|duty> [options]

  responder add --name N --role <role> --phone P [--grids g1,g2] [--buildings b1] [--households h1] [--id ID] [--off-duty]
      Adds a responder (DESIGN §4 "People"). Grid workers answer for their grids, building
      leaders for their buildings, neighbour buddies for their households. Prints the id.
  responder list [--role <role>] [--grid <id>] [--json]
  responder duty <id> on|off
      The on-duty switch (as on the phone view). Routing pages only on-duty responders.

Roles: ${RESPONDER_ROLES.join(', ')}
Add a console login for a responder with: npx guardian user add --role responder --responder <id> --username U`;

const OPTIONS = {
  name: { type: 'string' }, role: { type: 'string' }, phone: { type: 'string' }, id: { type: 'string' },
  grids: { type: 'string' }, buildings: { type: 'string' }, households: { type: 'string' },
  'off-duty': { type: 'boolean' }, grid: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
} as const;

export default async function responderCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE, { maxPositionals: 3 });
  if (typeof parsed === 'number') return parsed;
  const [sub, ...rest] = parsed.positionals;
  try {
    switch (sub) {
      case 'add': return await add(parsed);
      case 'list': return await list(parsed);
      case 'duty': return await duty(rest[0], rest[1]);
      case undefined: return usageError('missing subcommand: add, list or duty', USAGE);
      default: return usageError(`unknown subcommand "${sub}": use add, list or duty`, USAGE);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    return fail(`responder ${sub}: ${cliMessage(err) ?? oneLine(err)}`);
  }
}

function role(p: Parsed, required: boolean): ResponderRole | undefined {
  const r = str(p, 'role');
  if (r === undefined) {
    if (required) throw new UsageError(`--role is required: ${RESPONDER_ROLES.join(', ')}`);
    return undefined;
  }
  if (!(RESPONDER_ROLES as readonly string[]).includes(r)) throw new UsageError(`--role must be one of ${RESPONDER_ROLES.join(', ')}, got "${r}"`);
  return r as ResponderRole;
}

const ids = (p: Parsed, flag: string): string[] | undefined => str(p, flag)?.split(',').map((s) => s.trim()).filter(Boolean);

async function add(p: Parsed): Promise<number> {
  const name = str(p, 'name');
  const phone = str(p, 'phone');
  if (!name) throw new UsageError('--name is required');
  if (!phone || !/^[0-9+\-\s()]{3,32}$/.test(phone)) throw new UsageError('--phone is required: digits, +, -, spaces');
  const input = {
    name, phone, role: role(p, true)!, onDuty: !p.values['off-duty'],
    ...(str(p, 'id') ? { id: str(p, 'id')! } : {}),
    ...(ids(p, 'grids') ? { gridIds: ids(p, 'grids')! } : {}),
    ...(ids(p, 'buildings') ? { buildingIds: ids(p, 'buildings')! } : {}),
    ...(ids(p, 'households') ? { householdIds: ids(p, 'households')! } : {}),
  };
  return withDatabase(async (pool, config) => {
    const r = await peopleService(pool, config).create(CLI_ACTOR, input);
    process.stdout.write(`responder ${r.id} added: ${r.name} (${r.role})${r.onDuty ? ', on duty' : ', off duty'}\n`);
    return EXIT_OK;
  });
}

async function list(p: Parsed): Promise<number> {
  const limit = positiveInt(str(p, 'limit'), 'limit', 1000, 100_000);
  const filter = { role: role(p, false), gridId: str(p, 'grid'), limit };
  return withDatabase(async (pool, config) => {
    const { items, total } = await peopleService(pool, config).list(CLI_ACTOR, filter);
    if (p.values.json) {
      process.stdout.write(JSON.stringify({ items, total }) + '\n');
      return EXIT_OK;
    }
    process.stdout.write(table(['id', 'name', 'role', 'phone', 'places', 'on duty', 'login'], items.map((r) => [
      r.id, r.name, r.role, r.phone, [...r.gridIds, ...r.buildingIds, ...r.householdIds].join(',') || '-',
      r.onDutyNow ? 'now' : r.onDuty && r.active ? 'switch on, not rostered now' : 'no', r.username ?? '-',
    ])));
    process.stdout.write(`${items.length} of ${total} responder(s)\n`);
    return EXIT_OK;
  });
}

async function duty(id: string | undefined, state: string | undefined): Promise<number> {
  if (!id || (state !== 'on' && state !== 'off')) throw new UsageError('usage: responder duty <id> on|off');
  return withDatabase(async (pool, config) => {
    const r = await peopleService(pool, config).setDuty(CLI_ACTOR, id, state === 'on');
    process.stdout.write(`responder ${r.id} (${r.name}) is now ${r.onDuty ? 'on' : 'off'} duty\n`);
    return EXIT_OK;
  });
}
