import {
  EXIT_OK, fail, oneLine, parseCommandArgs, positiveInt, str, usageError, UsageError, withDatabase, type Parsed,
} from './args.js';
import { localTime, table } from './format.js';
import { DEVICE_KINDS, isDeviceKind } from '../../domain/device-kinds.js';
import { Redis } from 'ioredis';
import type { Config } from '../../domain/config.js';
import { listDevices, provisionDevice, revokeDevice } from '../../store/devices-repository.js';
import { publishDeviceRevoked } from '../../store/live-publisher.js';
import { readPrivateRedisPort } from '../../store/redis-server.js';

const USAGE = `usage: npx guardian device <add|list|revoke> [options]

  device add --household <id> --kind <kind> [--room R] [--heartbeat S] [--json]
      Provisions a device and prints its id and secret. The secret is shown once: only its
      SHA-256 is stored. With --json, stdout is exactly one line {"deviceId","secret"}.
  device list [--household <id>] [--limit N] [--json]
      Lists devices (id, kind, room, household, online, last seen, battery, revoked).
      With --json, stdout is one line {"items":[…],"total":n}.
  device revoke <deviceId>
      Revokes a device: its next CONNECT is refused, and a running service cuts its live
      MQTT session at once (told through Redis: REDIS_URL, or the private one in DATA_DIR).

Kinds: ${DEVICE_KINDS.join(', ')}

Options:
  --household <id>   household id, e.g. h-demo-0001
  --kind <kind>      one of the kinds above
  --room <room>      where it is installed, e.g. 卫生间
  --heartbeat <s>    heartbeat interval in seconds (default 300); offline after 3 missed
  --limit <n>        list at most n devices (default 1000)
  --json             machine-readable output
  -h, --help         this help`;

const OPTIONS = {
  household: { type: 'string' },
  kind: { type: 'string' },
  room: { type: 'string' },
  heartbeat: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export default async function deviceCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE, { maxPositionals: 2 });
  if (typeof parsed === 'number') return parsed;
  const [sub, ...rest] = parsed.positionals;
  try {
    switch (sub) {
      case 'add': return rest.length ? usageError(`unexpected argument "${rest[0]}"`, USAGE) : await add(parsed);
      case 'list': return rest.length ? usageError(`unexpected argument "${rest[0]}"`, USAGE) : await list(parsed);
      case 'revoke': return await revoke(rest[0]);
      case undefined: return usageError('missing subcommand: add, list or revoke', USAGE);
      default: return usageError(`unknown subcommand "${sub}": use add, list or revoke`, USAGE);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    return fail(`device ${sub} failed: ${oneLine(err)}`);
  }
}

async function add(p: Parsed): Promise<number> {
  const householdId = str(p, 'household');
  const kind = str(p, 'kind');
  if (!householdId) throw new UsageError('device add needs --household <id>');
  if (!kind) throw new UsageError('device add needs --kind <kind>');
  if (!isDeviceKind(kind)) return fail(`unknown device kind "${kind}"; allowed kinds: ${DEVICE_KINDS.join(', ')}`);
  const heartbeatS = positiveInt(str(p, 'heartbeat'), 'heartbeat', 300, 86_400);
  const room = str(p, 'room') ?? null;

  return withDatabase(async (pool) => {
    const home = await pool.query<{ address: string }>('SELECT address FROM households WHERE id = $1', [householdId]);
    if (!home.rows[0]) return fail(`unknown household "${householdId}"`);
    const { deviceId, secret } = await provisionDevice(pool, { householdId, kind, room, heartbeatS });
    if (p.values.json) {
      process.stdout.write(JSON.stringify({ deviceId, secret }) + '\n');
    } else {
      process.stdout.write([
        'Device provisioned.',
        `  device id   ${deviceId}`,
        `  secret      ${secret}`,
        `  kind        ${kind}${room ? ` (${room})` : ''}, heartbeat ${heartbeatS} s`,
        `  household   ${householdId} — ${home.rows[0].address}`,
        '',
        'Configure the device with MQTT clientId = username = the device id and password = the secret.',
        'The secret is shown only this once (only its hash is stored). If it is lost, revoke the',
        'device and add it again.',
      ].join('\n') + '\n');
    }
    return EXIT_OK;
  });
}

async function list(p: Parsed): Promise<number> {
  const householdId = str(p, 'household');
  const limit = positiveInt(str(p, 'limit'), 'limit', 1000, 1_000_000);
  return withDatabase(async (pool, config) => {
    if (householdId) {
      const home = await pool.query('SELECT 1 FROM households WHERE id = $1', [householdId]);
      if (home.rowCount === 0) return fail(`unknown household "${householdId}"`);
    }
    const { items, total } = await listDevices(pool, { householdId, limit });
    if (p.values.json) {
      process.stdout.write(JSON.stringify({ items, total }) + '\n');
      return EXIT_OK;
    }
    process.stdout.write(table(
      ['id', 'kind', 'room', 'household', 'online', 'last seen', 'battery', 'revoked'],
      items.map((d) => [
        d.id, d.kind, d.room ?? '-', d.householdId, d.online ? 'yes' : 'no', localTime(d.lastSeenAt, config.GUARDIAN_TZ),
        d.battery === null ? '-' : `${d.battery}%`, d.revokedAt ? localTime(d.revokedAt, config.GUARDIAN_TZ) : '-',
      ])));
    process.stdout.write(items.length < total ? `${items.length} of ${total} devices (use --limit to see more)\n` : `${total} device(s)\n`);
    return EXIT_OK;
  });
}

async function revoke(deviceId: string | undefined): Promise<number> {
  if (!deviceId) throw new UsageError('device revoke needs a device id');
  return withDatabase(async (pool, config) => {
    const found = await pool.query<{ revokedAt: Date | null }>('SELECT revoked_at AS "revokedAt" FROM devices WHERE id = $1', [deviceId]);
    if (!found.rows[0]) return fail(`unknown device "${deviceId}"`);
    if (await revokeDevice(pool, deviceId)) {
      process.stdout.write(`device ${deviceId} revoked: it can no longer connect\n`);
    } else {
      process.stdout.write(`device ${deviceId} was already revoked\n`);
    }
    // Also when it was revoked already: a session that survived an earlier revoke is cut now.
    process.stdout.write(`${await cutLiveSession(config, deviceId)}\n`);
    return EXIT_OK;
  });
}

/** Asks every running gateway to drop the device's live session (DEVICE_REVOKED_CHANNEL). */
async function cutLiveSession(config: Config, deviceId: string): Promise<string> {
  const port = config.REDIS_URL ? null : await readPrivateRedisPort(config.DATA_DIR);
  const url = config.REDIS_URL ?? (port ? `redis://127.0.0.1:${port}` : null);
  if (!url) return 'no running service found (no REDIS_URL, no private Redis in DATA_DIR): nothing to disconnect';
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const gateways = await publishDeviceRevoked(redis, { deviceIds: [deviceId] });
    return gateways > 0 ? `told ${gateways} running gateway(s) to cut its live session` : 'no gateway is listening: nothing to disconnect';
  } catch {
    return 'Redis is not reachable: a live session, if any, ends when the device reconnects (refused)';
  } finally {
    redis.disconnect();
  }
}
