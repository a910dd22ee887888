import type { Redis } from 'ioredis';
import type pg from 'pg';
import { robotTiers, type ChannelName } from '../domain/channel-definitions.js';
import { problemsKey, tierProblems, type ChannelsWorking, type CommunityTiers, type TierMember, type TierProblem } from '../domain/channel-coverage.js';
import type { Clock, ClockTimer } from '../domain/clock.js';
import { onDutyAt } from '../domain/roster.js';
import { FIRST_TIER_ROLES } from '../domain/routing.js';
import { nextShiftBoundary, shiftOf } from '../domain/shift-clock.js';
import { putChannelHealth, type ChannelHealthSnapshot } from '../store/channel-settings-repository.js';
import { communityContacts, responderReach } from '../store/channel-coverage-repository.js';
import { recentChannelFailures } from '../store/channel-notifications-repository.js';
import { loadResponders, loadRosterRows } from '../store/routing-context-repository.js';
import { getSetting, SETTING_KEYS, type VapidSetting, type WebhookSetting } from '../store/settings-repository.js';
import { redisNamesInUse } from '../store/redis-namespace.js';
import type { DispatcherLog } from './dispatcher-log.js';
import type { ChannelConfigSource } from './notifiers/channel-config.js';

const SMS: ChannelName[] = ['aliyun_sms', 'tencent_sms'];
const VOICE: ChannelName[] = ['aliyun_voice', 'tencent_voice'];
const ROBOTS: ChannelName[] = ['wecom', 'dingtalk', 'feishu'];
/** A channel whose newest attempts all failed, this many in a row within the hour, is broken. */
export const BROKEN_AFTER_FAILURES = 3;

/**
 * "Nothing fails silently" (issue 16, DESIGN §5): at start, every RECONCILE_S, at each shift
 * start and at once when channel settings change (Redis CHANNELS_CHANGED_CHANNEL, published by
 * the API and the CLI), check that every tier of every community on duty now has at least one
 * working channel. The result goes to settings 'channel_health', which the API shows as a red
 * banner on every operator page and as /readyz detail; a change is a warning in the log.
 */
export class ChannelHealthMonitor {
  private interval: ClockTimer | null = null;
  private shiftTimer: ClockTimer | null = null;
  private lastKey: string | null = null;
  private running: Promise<ChannelHealthSnapshot | null> | null = null;
  private stopped = false;
  private get changedChannel(): string { return this.deps.changedChannel ?? redisNamesInUse().channelsChanged; }

  constructor(private readonly deps: {
    pool: pg.Pool; configs: ChannelConfigSource; clock: Clock; log: DispatcherLog;
    config: { GUARDIAN_TZ: string; DAY_SHIFT: string; RECONCILE_S: number };
    subscriber?: Redis; intervalMs?: number; onChange?: () => void;
    /** The channels-changed channel of this dispatcher's Redis namespace (domain/redis-names.ts). */
    changedChannel?: string;
  }) {}

  async start(): Promise<void> {
    await this.checkNow();
    this.interval = this.deps.clock.setInterval(() => { void this.checkNow(); }, this.deps.intervalMs ?? this.deps.config.RECONCILE_S * 1000);
    this.armShiftStart();
    const sub = this.deps.subscriber;
    if (sub) {
      sub.on('message', (channel: string) => {
        if (channel !== this.changedChannel) return;
        this.deps.configs.invalidate();
        this.deps.onChange?.();
        void this.checkNow();
      });
      await sub.subscribe(this.changedChannel).catch((err) => this.deps.log.warn('channel settings subscription failed; the periodic check covers it', err));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.clock.clearTimer(this.interval);
    this.deps.clock.clearTimer(this.shiftTimer);
    this.interval = this.shiftTimer = null;
    await this.deps.subscriber?.unsubscribe(this.changedChannel).catch(() => {});
    await this.running?.catch(() => {});
  }

  /** One check now; concurrent calls share the running one. */
  checkNow(): Promise<ChannelHealthSnapshot | null> {
    this.running ??= this.check().catch((err) => {
      this.deps.log.warn('channel health check failed; retrying next period', err);
      return null;
    }).finally(() => { this.running = null; });
    return this.running;
  }

  private armShiftStart(): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const next = nextShiftBoundary(now, this.deps.config.GUARDIAN_TZ, this.deps.config.DAY_SHIFT);
    // +1 s: judge the new shift, not the last second of the old one.
    this.shiftTimer = this.deps.clock.setTimeout(() => { void this.checkNow(); this.armShiftStart(); }, next.getTime() - now.getTime() + 1000);
  }

  private async check(): Promise<ChannelHealthSnapshot> {
    const { pool, configs, config } = this.deps;
    const now = this.deps.clock.now();
    const [responders, rosters, reach, contacts, webhook, vapid, failures] = await Promise.all([
      loadResponders(pool), loadRosterRows(pool), responderReach(pool), communityContacts(pool),
      getSetting<WebhookSetting>(pool, SETTING_KEYS.webhook), getSetting<VapidSetting>(pool, SETTING_KEYS.vapid),
      recentChannelFailures(pool, [...SMS, ...VOICE, ...ROBOTS, 'webhook'], new Date(now.getTime() - 3600_000)),
    ]);
    const broken = new Map(failures.filter((f) => f.failedInRow >= BROKEN_AFTER_FAILURES).map((f) => [f.channel, f.lastError ?? 'failed']));
    const onDuty = onDutyAt(responders, rosters, now, config.GUARDIAN_TZ);
    const { shift } = shiftOf(now, config.GUARDIAN_TZ, config.DAY_SHIFT);

    const problems: TierProblem[] = [];
    for (const c of contacts) {
      const works = async (list: ChannelName[]) => {
        for (const ch of list) if (!broken.has(ch) && await configs.get(ch, c.communityId)) return true;
        return false;
      };
      const tiersOfRobots: number[] = [];
      for (const ch of ROBOTS) {
        const cfg = broken.has(ch) ? null : await configs.get(ch, c.communityId);
        if (cfg) tiersOfRobots.push(...robotTiers(cfg));
      }
      const channels: ChannelsWorking = {
        webPush: Boolean(vapid?.publicKey), sms: await works(SMS), voice: await works(VOICE),
        webhook: Boolean(webhook?.url) && !broken.has('webhook'), robotTiers: tiersOfRobots,
      };
      const member = (r: { id: string; phone: string }): TierMember => ({ ...(reach.get(r.id) ?? { hasAccount: false, hasPush: false }), hasPhone: r.phone.trim() !== '' });
      const mine = responders.filter((r) => r.communityId === c.communityId && onDuty.has(r.id));
      const family: TierMember[] = [];
      if (c.emergencyPhone) family.push({ hasAccount: false, hasPush: false, hasPhone: true });
      if (c.familyWithPhone > 0) family.push({ hasAccount: false, hasPush: false, hasPhone: true });
      const community: CommunityTiers = {
        communityId: c.communityId,
        tiers: [
          { level: 0, members: mine.filter((r) => FIRST_TIER_ROLES[shift].includes(r.role)).map(member) },
          { level: 1, members: mine.filter((r) => r.role === 'supervisor').map(member) },
          { level: 2, members: family },
        ],
      };
      problems.push(...tierProblems(community, channels));
    }
    const snapshot: ChannelHealthSnapshot = {
      checkedAt: now.toISOString(),
      problems: problems.map((p) => ({ communityId: p.communityId, level: p.level, reason: p.reason, message: p.message })),
      failing: [...broken].map(([channel, error]) => ({ channel, error })),
    };
    await putChannelHealth(pool, snapshot, now);
    const key = `${problemsKey(problems)}|${[...broken.keys()].sort().join(',')}`;
    if (key !== this.lastKey) {
      if (problems.length > 0 || broken.size > 0) {
        for (const p of problems) this.deps.log.warn(`channel health: ${p.message}`);
        for (const [ch, err] of broken) this.deps.log.warn(`channel health: ${ch} failed ${BROKEN_AFTER_FAILURES} times in a row (last: ${err})`);
      } else if (this.lastKey !== null) {
        this.deps.log.info('channel health: every tier has a working channel again');
      }
      this.lastKey = key;
    }
    return snapshot;
  }
}
