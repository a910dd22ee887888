import type pg from 'pg';
import { CHANNEL_DEFINITIONS, missingFields, type ChannelName } from '../../domain/channel-definitions.js';
import { normalizePhone } from '../../domain/phone-number.js';
import { listChannelRows, mergeScopes, type ChannelRow } from '../../store/channel-settings-repository.js';
import { TtlCache } from '../ttl-cache.js';

export type MergedConfig = Record<string, unknown> & { secrets: Record<string, string> };

/**
 * A channel's settings in force for a community (global row ← community row, migration 009),
 * read at most every `ttlMs` per channel so a page storm does not query them per message. A
 * config missing a required field counts as not configured: that channel skips, and the health
 * check says so.
 */
export class ChannelConfigSource {
  private readonly rows: TtlCache<ChannelRow[]>;

  constructor(private readonly pool: pg.Pool, ttlMs = 2000) {
    this.rows = new TtlCache(ttlMs);
  }

  async get(channel: ChannelName, communityId: string | null | undefined): Promise<MergedConfig | null> {
    const rows = await this.rows.get(channel, () => listChannelRows(this.pool, channel));
    const merged = mergeScopes(rows, communityId ?? null);
    if (!merged) return null;
    return missingFields(channel, merged).length === 0 ? merged : null;
  }

  /** A phone channel's address for a person: their number, when the channel is configured for the community. */
  async phoneAddresses(channel: ChannelName, phone: string, communityId: string | null | undefined): Promise<string[]> {
    if (!phone.trim()) return [];
    return (await this.get(channel, communityId)) ? [normalizePhone(phone)] : [];
  }

  /** Scopes (communities, '*') with a row for this channel: for the health check and robots. */
  async scopes(channel: ChannelName): Promise<string[]> {
    return (await this.rows.get(channel, () => listChannelRows(this.pool, channel))).map((r) => r.scope);
  }

  /** Settings changed (API or CLI): read afresh now. */
  invalidate(): void {
    this.rows.clear();
  }
}

export const str = (v: unknown, fallback = ''): string => (typeof v === 'string' && v !== '' ? v : fallback);
export const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** `https` unless the config says `http` (a local fake provider, a private gateway). */
export function protocolOf(config: MergedConfig): 'http' | 'https' {
  return config.protocol === 'http' ? 'http' : 'https';
}

export function endpointOf(channel: ChannelName, config: MergedConfig): string {
  const def = CHANNEL_DEFINITIONS[channel] as { defaultEndpoint?: string };
  return str(config.endpoint, def.defaultEndpoint ?? '');
}

/** Errors may echo request parts; keep them short and free of anything secret-looking. */
export function errorText(err: unknown, secrets: Record<string, string>): string {
  let text = err instanceof Error ? `${(err as { code?: string }).code ? `${(err as { code?: string }).code}: ` : ''}${err.message}` : String(err);
  for (const s of Object.values(secrets)) if (s && s.length >= 4) text = text.split(s).join('[redacted]');
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

/** The class of a CommonJS SDK whose module sets `exports.default = Client`, however it was loaded. */
export function cjsClass<C>(imported: unknown): C {
  return (typeof imported === 'function' ? imported : (imported as { default: unknown }).default) as C;
}
