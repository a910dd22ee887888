import type { Queryable } from './db.js';

/**
 * Provider settings of the notification channels (issue 16), table channel_settings (migration
 * 009): one row per (channel, scope), scope '*' the global default and a community id its
 * override. A community's effective config is the global row with the community's fields on top,
 * so fifty communities share one access key and each keeps its own sign name and robots.
 * Secret fields live in `secrets`; readers that show settings get them masked (maskSecrets).
 */
export const GLOBAL_SCOPE = '*';

export interface ChannelRow {
  channel: string;
  scope: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  enabled: boolean;
  updatedAt: Date;
  updatedBy: string | null;
}

const COLUMNS = `channel, scope, config, secrets, enabled, updated_at AS "updatedAt", updated_by AS "updatedBy"`;

export async function listChannelRows(db: Queryable, channel?: string): Promise<ChannelRow[]> {
  const r = channel === undefined
    ? await db.query<ChannelRow>(`SELECT ${COLUMNS} FROM channel_settings ORDER BY channel, scope`)
    : await db.query<ChannelRow>(`SELECT ${COLUMNS} FROM channel_settings WHERE channel = $1 ORDER BY scope`, [channel]);
  return r.rows;
}

export async function getChannelRow(db: Queryable, channel: string, scope: string): Promise<ChannelRow | null> {
  const r = await db.query<ChannelRow>(`SELECT ${COLUMNS} FROM channel_settings WHERE channel = $1 AND scope = $2`, [channel, scope]);
  return r.rows[0] ?? null;
}

/**
 * Creates a row or patches it: fields not given keep their stored value (an admin can change a
 * template without pasting the access key secret again); `null` removes a field or a secret.
 */
export async function putChannelRow(db: Queryable, row: {
  channel: string; scope: string; config: Record<string, unknown>; secrets: Record<string, string | null>; enabled: boolean; at: Date; by: string | null;
}): Promise<void> {
  const set = Object.fromEntries(Object.entries(row.secrets).filter(([, v]) => v !== null));
  const removed = Object.entries(row.secrets).filter(([, v]) => v === null).map(([k]) => k);
  await db.query(
    `INSERT INTO channel_settings (channel, scope, config, secrets, enabled, updated_at, updated_by)
     VALUES ($1, $2, jsonb_strip_nulls($3::jsonb), $4::jsonb, $5, $6, $7)
     ON CONFLICT (channel, scope) DO UPDATE SET
       config = jsonb_strip_nulls(channel_settings.config || EXCLUDED.config),
       secrets = (channel_settings.secrets - $8::text[]) || EXCLUDED.secrets,
       enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    [row.channel, row.scope, JSON.stringify(row.config), JSON.stringify(set), row.enabled, row.at, row.by, removed]);
}

export async function deleteChannelRow(db: Queryable, channel: string, scope: string): Promise<boolean> {
  const r = await db.query(`DELETE FROM channel_settings WHERE channel = $1 AND scope = $2`, [channel, scope]);
  return (r.rowCount ?? 0) > 0;
}

/** The config in force for a community: global row ← community row; null when neither is enabled. */
export function mergeScopes(rows: readonly ChannelRow[], communityId: string | null): (Record<string, unknown> & { secrets: Record<string, string> }) | null {
  const global = rows.find((r) => r.scope === GLOBAL_SCOPE);
  const own = communityId ? rows.find((r) => r.scope === communityId) : undefined;
  if (own && !own.enabled) return null;
  const parts = [global?.enabled ? global : undefined, own].filter((r): r is ChannelRow => r !== undefined);
  if (parts.length === 0) return null;
  return {
    ...Object.assign({}, ...parts.map((p) => p.config)),
    secrets: Object.assign({}, ...parts.map((p) => p.secrets)),
  };
}

/** What an API answer may show of a secret: that it is set, and its last 4 characters. */
export function maskSecret(value: string): string {
  return value.length <= 8 ? '••••' : `••••${value.slice(-4)}`;
}

export function maskSecrets(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, maskSecret(v)]));
}

// --- callback tokens --------------------------------------------------------------------------

export async function putCallbackTokenHash(db: Queryable, provider: 'aliyun' | 'tencent', hash: Buffer, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO callback_tokens (provider, token_hash, created_at) VALUES ($1, $2, $3)
     ON CONFLICT (provider) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at`, [provider, hash, at]);
}

export async function getCallbackTokenHash(db: Queryable, provider: string): Promise<Buffer | null> {
  const r = await db.query<{ hash: Buffer }>(`SELECT token_hash AS hash FROM callback_tokens WHERE provider = $1`, [provider]);
  return r.rows[0]?.hash ?? null;
}

export async function callbackProviders(db: Queryable): Promise<Array<{ provider: string; createdAt: Date }>> {
  const r = await db.query<{ provider: string; createdAt: Date }>(`SELECT provider, created_at AS "createdAt" FROM callback_tokens ORDER BY provider`);
  return r.rows;
}

// --- ladder ------------------------------------------------------------------------------------

export async function ladderOverrides(db: Queryable, responderIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  if (responderIds.length === 0) return new Map();
  const r = await db.query<{ id: string; ladder: Record<string, unknown> }>(
    `SELECT responder_id AS id, ladder FROM ladder_overrides WHERE responder_id = ANY($1::text[])`, [responderIds]);
  return new Map(r.rows.map((x) => [x.id, x.ladder]));
}

export async function putLadderOverride(db: Queryable, responderId: string, ladder: Record<string, unknown> | null, at: Date): Promise<void> {
  if (ladder === null) {
    await db.query(`DELETE FROM ladder_overrides WHERE responder_id = $1`, [responderId]);
    return;
  }
  await db.query(
    `INSERT INTO ladder_overrides (responder_id, ladder, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (responder_id) DO UPDATE SET ladder = EXCLUDED.ladder, updated_at = EXCLUDED.updated_at`,
    [responderId, JSON.stringify(ladder), at]);
}

// --- channel health ----------------------------------------------------------------------------

export const CHANNEL_HEALTH_KEY = 'channel_health';

export interface ChannelHealthSnapshot {
  checkedAt: string;
  problems: Array<{ communityId: string; level: number; reason: string; message: string }>;
  /** Channels whose latest attempts all failed: shown as "broken" until one works again. */
  failing: Array<{ channel: string; error: string }>;
}

export async function putChannelHealth(db: Queryable, s: ChannelHealthSnapshot, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`, [CHANNEL_HEALTH_KEY, JSON.stringify(s), at]);
}

export async function getChannelHealth(db: Queryable): Promise<ChannelHealthSnapshot | null> {
  const r = await db.query<{ value: ChannelHealthSnapshot }>(`SELECT value FROM settings WHERE key = $1`, [CHANNEL_HEALTH_KEY]);
  return r.rows[0]?.value ?? null;
}
