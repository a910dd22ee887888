import type pg from 'pg';
import { ApiError } from '../../api/api-error.js';
import { AccessService } from '../../api/services/access-service.js';
import { CHILD_KINDS } from '../../api/schemas/zigbee-schemas.js';
import { ZigbeeService } from '../../api/services/zigbee-service.js';
import { wallClock } from '../../domain/clock.js';
import { isDeviceKind } from '../../domain/device-kinds.js';
import {
  EXIT_OK, fail, oneLine, parseCommandArgs, positiveInt, str, usageError, UsageError, withDatabase, type Parsed,
} from './args.js';
import { localTime, table } from './format.js';
import { CLI_ACTOR } from './people-cli.js';

const USAGE = `usage: npx guardian hub <devices|register|ack|base-topic> [options]

  hub devices [--hub <hubId>] [--pending] [--json]
      Zigbee devices that zigbee2mqtt hubs offer (from their bridge/devices): IEEE address,
      friendly name, vendor and model, a suggested kind, and the child each one is registered as.
  hub register <hubId> <ieee> --kind <kind> --room <room> [--household <id>] [--heartbeat S] [--json]
      Registers an offered device as a child of a household (the hub's, unless --household).
      By IEEE address, so renaming it in zigbee2mqtt changes nothing; effective at once.
      Heartbeat default: battery 28800 s, mains 3600 s (offline after 3 missed).
  hub ack <hubId> <ieee> (--preset light|siren | --payloads JSON | --clear)
      Makes a siren or light of the home say "help is coming": the payload per alert state
      (accepted, on_site, resolved) goes to <base_topic>/<friendly_name>/set.
  hub base-topic <hubId> <topic>
      The hub's zigbee2mqtt mqtt.base_topic, when it is not "zigbee2mqtt".

Kinds: ${CHILD_KINDS.join(', ')}`;

const OPTIONS = {
  hub: { type: 'string' },
  pending: { type: 'boolean' },
  kind: { type: 'string' },
  room: { type: 'string' },
  household: { type: 'string' },
  heartbeat: { type: 'string' },
  preset: { type: 'string' },
  payloads: { type: 'string' },
  clear: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;


export default async function hubCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE, { maxPositionals: 3 });
  if (typeof parsed === 'number') return parsed;
  const [sub, a, b] = parsed.positionals;
  try {
    switch (sub) {
      case 'devices': return await devices(parsed);
      case 'register': return await register(parsed, a, b);
      case 'ack': return await ack(parsed, a, b);
      case 'base-topic': return await baseTopic(a, b);
      case undefined: return usageError('missing subcommand: devices, register, ack or base-topic', USAGE);
      default: return usageError(`unknown subcommand "${sub}": use devices, register, ack or base-topic`, USAGE);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    if (err instanceof ApiError) return fail(err.message);
    return fail(`hub ${sub} failed: ${oneLine(err)}`);
  }
}

async function devices(p: Parsed): Promise<number> {
  return withDatabase(async (pool, config) => {
    const { items, total } = await zigbeeService(pool).list(CLI_ACTOR, { hubId: str(p, 'hub'), pending: p.values.pending === true, limit: 1000, offset: 0 });
    if (p.values.json) {
      process.stdout.write(JSON.stringify({ items, total }) + '\n');
      return EXIT_OK;
    }
    process.stdout.write(table(
      ['hub', 'ieee', 'name', 'vendor / model', 'suggested', 'registered as', 'room', 'last seen'],
      items.map((d) => [
        d.hubId, d.ieee, d.friendlyName + (d.goneAt ? ' (left the network)' : ''), `${d.vendor ?? '?'} ${d.model ?? ''}`.trim(),
        d.suggestedKind ?? '-', d.deviceId ? `${d.kind} in ${d.householdId}` : 'pending', d.room ?? '-', localTime(d.lastSeenAt, config.GUARDIAN_TZ),
      ])));
    process.stdout.write(`${total} Zigbee device(s)\n`);
    return EXIT_OK;
  });
}

async function register(p: Parsed, hubId: string | undefined, ieee: string | undefined): Promise<number> {
  if (!hubId || !ieee) throw new UsageError('hub register needs <hubId> <ieee>');
  const kind = str(p, 'kind');
  const room = str(p, 'room');
  if (!kind) throw new UsageError('hub register needs --kind <kind>');
  if (!room) throw new UsageError('hub register needs --room <room>');
  if (!isDeviceKind(kind) || kind === 'z2m_hub') return fail(`unknown kind "${kind}"; allowed kinds: ${CHILD_KINDS.join(', ')}`);
  const heartbeat = str(p, 'heartbeat');
  const heartbeatS = heartbeat === undefined ? undefined : positiveInt(heartbeat, 'heartbeat', 28_800, 172_800);
  return withDatabase(async (pool) => {
    const r = await zigbeeService(pool).register(CLI_ACTOR, hubId, ieee, { kind, room, householdId: str(p, 'household'), heartbeatS });
    process.stdout.write(p.values.json ? JSON.stringify(r) + '\n'
      : `registered ${r.deviceId} as ${r.kind} in ${r.householdId} (${room}), heartbeat ${r.heartbeatS} s: its next message counts\n`);
    return EXIT_OK;
  });
}

async function ack(p: Parsed, hubId: string | undefined, ieee: string | undefined): Promise<number> {
  if (!hubId || !ieee) throw new UsageError('hub ack needs <hubId> <ieee>');
  const preset = str(p, 'preset');
  const payloadsText = str(p, 'payloads');
  const chosen = [preset !== undefined, payloadsText !== undefined, p.values.clear === true].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('hub ack needs one of --preset light|siren, --payloads JSON, --clear');
  if (preset !== undefined && preset !== 'light' && preset !== 'siren') throw new UsageError('--preset is light or siren');
  let payloads: unknown;
  if (payloadsText !== undefined) {
    try { payloads = JSON.parse(payloadsText); } catch { throw new UsageError('--payloads must be JSON, e.g. {"accepted":{"state":"ON"}}'); }
  }
  return withDatabase(async (pool) => {
    const body = p.values.clear ? null : preset ? { preset: preset as 'light' | 'siren' } : { payloads };
    const r = await zigbeeService(pool).setAck(CLI_ACTOR, hubId, ieee, body);
    process.stdout.write(r.ack ? `help is coming on ${hubId} ${r.ieee}: ${JSON.stringify(r.ack)}\n` : `${hubId} ${r.ieee} no longer says "help is coming"\n`);
    return EXIT_OK;
  });
}

async function baseTopic(hubId: string | undefined, topic: string | undefined): Promise<number> {
  if (!hubId || !topic) throw new UsageError('hub base-topic needs <hubId> <topic>');
  return withDatabase(async (pool) => {
    const r = await zigbeeService(pool).setBaseTopic(CLI_ACTOR, hubId, topic);
    process.stdout.write(`hub ${r.hubId} uses base topic "${r.baseTopic}" from its next connect\n`);
    return EXIT_OK;
  });
}

/** The same service as the API, acting as the CLI's administrator. */
function zigbeeService(pool: pg.Pool): ZigbeeService {
  return new ZigbeeService(pool, new AccessService(pool, wallClock));
}
