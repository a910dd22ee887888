import type { Redis } from 'ioredis';
import type pg from 'pg';
import { CHANNEL_DEFINITIONS, isChannelName, missingFields, splitChannelInput, type ChannelName } from '../../domain/channel-definitions.js';
import { wallClock, type Clock } from '../../domain/clock.js';
import { unknownVariables } from '../../domain/message-template.js';
import { LADDER_ROLES, ladderSpecProblems, type LadderSpec } from '../../domain/notification-ladder.js';
import { redisNamesInUse } from '../../store/redis-namespace.js';
import { hashSecret, randomToken } from '../../domain/secrets.js';
import { writeAudit } from '../../store/audit-repository.js';
import {
  callbackProviders, deleteChannelRow, GLOBAL_SCOPE, getChannelHealth, listChannelRows, maskSecrets, mergeScopes, putCallbackTokenHash, putChannelRow, putLadderOverride,
} from '../../store/channel-settings-repository.js';
import { findResponder } from '../../store/responders-repository.js';
import { badRequest, notFound } from '../api-error.js';
import type { Actor } from './actor.js';
import { communityInScope } from '../../domain/access-scope.js';
import type { AuthUser } from '../route-access.js';
import { communityNames } from '../../store/communities-repository.js';

export const CALLBACK_KINDS = { aliyun: ['sms-report', 'sms-up', 'voice-report'], tencent: ['sms-status', 'sms-reply', 'voice'] } as const;

/**
 * Channel settings for admins (issue 16): provider credentials, per-community sign names,
 * templates and robots, the ladder's role defaults and per-person overrides, the callback
 * tokens. Secrets are stored but never logged and never answered in full (••••last4); every
 * change is audited without them, and announced on Redis so the dispatcher re-checks at once.
 */
export class ChannelSettingsService {
  constructor(private readonly pool: pg.Pool, private readonly redis?: Redis, private readonly clock: Clock = wallClock) {}

  async list() {
    const rows = await listChannelRows(this.pool);
    const providers = new Map((await callbackProviders(this.pool)).map((p) => [p.provider, p.createdAt]));
    return {
      channels: rows.filter((r) => isChannelName(r.channel)).map((r) => ({
        channel: r.channel, scope: r.scope, enabled: r.enabled, config: r.config, secrets: maskSecrets(r.secrets),
        missing: missingFields(r.channel as ChannelName, mergeScopes(rows.filter((x) => x.channel === r.channel), r.scope === GLOBAL_SCOPE ? null : r.scope) ?? { secrets: {} }),
        updatedAt: r.updatedAt, updatedBy: r.updatedBy,
      })),
      callbacks: (['aliyun', 'tencent'] as const).map((p) => ({
        provider: p, configured: providers.has(p), createdAt: providers.get(p) ?? null,
        paths: CALLBACK_KINDS[p].map((k) => `/api/v1/callbacks/${p}/<token>/${k}`),
      })),
    };
  }

  async put(actor: Actor, channel: string, body: { scope?: string; enabled?: boolean; values: Record<string, unknown> }) {
    if (!isChannelName(channel)) throw notFound(`no channel "${channel}"; channels: ${Object.keys(CHANNEL_DEFINITIONS).join(', ')}`);
    const scope = body.scope ?? GLOBAL_SCOPE;
    if (scope !== GLOBAL_SCOPE) {
      const c = await this.pool.query(`SELECT 1 FROM communities WHERE id = $1`, [scope]);
      if (c.rowCount === 0) throw badRequest(`scope: no community "${scope}" (use "*" for the default of every community)`, 'unknown_community');
    }
    const { config, secrets, unknown } = splitChannelInput(channel, body.values);
    if (unknown.length > 0) throw badRequest(`unknown field(s) for ${channel}: ${unknown.join(', ')}; allowed: ${[...CHANNEL_DEFINITIONS[channel].fields, ...CHANNEL_DEFINITIONS[channel].secrets].join(', ')}`, 'unknown_field');
    this.validate(channel, config);
    await putChannelRow(this.pool, { channel, scope, config, secrets, enabled: body.enabled ?? true, at: this.clock.now(), by: actor.username });
    await writeAudit(this.pool, {
      username: actor.username, role: actor.role, action: 'channel.set', target: `${channel}/${scope}`, ip: actor.ip,
      data: { fields: Object.keys(config), secretsChanged: Object.keys(secrets), enabled: body.enabled ?? true },
    });
    await this.announce();
    return (await this.list()).channels.find((c) => c.channel === channel && c.scope === scope)!;
  }

  async remove(actor: Actor, channel: string, scope = GLOBAL_SCOPE) {
    if (!isChannelName(channel)) throw notFound(`no channel "${channel}"`);
    const removed = await deleteChannelRow(this.pool, channel, scope);
    if (removed) {
      await writeAudit(this.pool, { username: actor.username, role: actor.role, action: 'channel.clear', target: `${channel}/${scope}`, ip: actor.ip, data: {} });
      await this.announce();
    }
    return { removed };
  }

  /** A new callback token: its URLs are answered this once (only the hash is kept). */
  async rotateCallbackToken(actor: Actor | null, provider: 'aliyun' | 'tencent') {
    const token = randomToken(24);
    await putCallbackTokenHash(this.pool, provider, hashSecret(token), this.clock.now());
    await writeAudit(this.pool, { username: actor?.username ?? 'cli', role: actor?.role ?? null, action: 'channel.callback_token.rotate', target: provider, ip: actor?.ip ?? null, data: {} });
    return { provider, token, paths: CALLBACK_KINDS[provider].map((k) => `/api/v1/callbacks/${provider}/${token}/${k}`) };
  }

  async putLadderOverride(actor: Actor, responderId: string, spec: Partial<LadderSpec> | null) {
    if (!(await findResponder(this.pool, responderId))) throw notFound(`no responder ${responderId}`);
    if (spec) {
      const problems = ladderSpecProblems(spec);
      if (problems.length > 0) throw badRequest(problems.join('; '), 'bad_ladder');
    }
    await putLadderOverride(this.pool, responderId, spec as Record<string, unknown> | null, this.clock.now());
    await writeAudit(this.pool, { username: actor.username, role: actor.role, action: 'ladder.set', target: responderId, ip: actor.ip, data: { ladder: spec } });
    await this.announce();
    return { responderId, ladder: spec };
  }

  /** For every operator page's banner: what the dispatcher found at its last check, for the caller's communities. */
  async health(user: Pick<AuthUser, 'scope'>, reconcileS: number) {
    const h = await getChannelHealth(this.pool);
    const now = this.clock.nowMs();
    const stale = !h || now - Date.parse(h.checkedAt) > 3 * reconcileS * 1000;
    const mine = (h?.problems ?? []).filter((p) => communityInScope(user.scope, p.communityId));
    // The banner names the community as people call it, not by its id.
    const names = await communityNames(this.pool, [...new Set(mine.map((p) => p.communityId))]);
    const problems = mine.map((p) => ({ ...p, communityName: names.get(p.communityId) ?? p.communityId }));
    return { checkedAt: h?.checkedAt ?? null, stale, problems, failing: h?.failing ?? [] };
  }

  private validate(channel: ChannelName, config: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(config)) {
      const texts = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string')
        : v && typeof v === 'object' && k !== 'roles' ? Object.values(v).filter((x): x is string => typeof x === 'string') : [];
      const bad = texts.flatMap(unknownVariables);
      if (bad.length > 0 && /template|params/i.test(k)) throw badRequest(`${k}: unknown variable(s) ${bad.map((b) => `{${b}}`).join(', ')}`, 'unknown_variable');
    }
    if (config.protocol !== undefined && config.protocol !== 'http' && config.protocol !== 'https') throw badRequest('protocol: http or https', 'bad_field');
    if (channel === 'ladder' && config.roles !== undefined) {
      if (typeof config.roles !== 'object' || config.roles === null) throw badRequest('roles: an object of role → ladder', 'bad_ladder');
      for (const [role, spec] of Object.entries(config.roles)) {
        if (!(LADDER_ROLES as readonly string[]).includes(role)) throw badRequest(`roles.${role}: not a role (${LADDER_ROLES.join(', ')})`, 'bad_ladder');
        const problems = ladderSpecProblems(spec as Partial<LadderSpec>);
        if (problems.length > 0) throw badRequest(`roles.${role}: ${problems.join('; ')}`, 'bad_ladder');
      }
    }
    if (channel === 'links' && config.publicUrl !== undefined) {
      try { new URL(String(config.publicUrl)); } catch { throw badRequest('publicUrl: the URL phones open the console at, e.g. https://guardian.example.com', 'bad_field'); }
    }
  }

  private async announce(): Promise<void> {
    await this.redis?.publish(redisNamesInUse().channelsChanged, String(this.clock.nowMs())).catch(() => {});
  }
}
