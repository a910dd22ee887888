/**
 * "Nothing fails silently" (issue 16, DESIGN §5): at start, when settings change and at each
 * shift start, every tier of every community must have at least one working channel to somebody
 * in it. Pure: the dispatcher reads who is in each tier and which channels work, and publishes
 * the problems as a red banner, a log line and /readyz detail.
 */
export type TierLevel = 0 | 1 | 2;

export interface TierMember {
  /** A responder with a signed-in-able account: the in-app live feed reaches them. */
  hasAccount: boolean;
  /** A working Web Push subscription. */
  hasPush: boolean;
  hasPhone: boolean;
}

export interface ChannelsWorking {
  /** Web Push keys exist (VAPID); subscriptions are per person. */
  webPush: boolean;
  sms: boolean;
  voice: boolean;
  /** The generic signed webhook (SMS/voice gateway of your own). */
  webhook: boolean;
  /** Tiers a working group robot (WeCom, DingTalk, Feishu) of this community posts to. */
  robotTiers: readonly number[];
}

export interface TierProblem {
  communityId: string;
  level: TierLevel;
  reason: 'nobody' | 'no_working_channel';
  /** English, for the log and /readyz; the console words it from the code. */
  message: string;
}

export interface CommunityTiers {
  communityId: string;
  tiers: Array<{ level: TierLevel; members: TierMember[] }>;
}

/** Whether one person can be told anything at all through a working channel. */
export function reachable(m: TierMember, ch: ChannelsWorking): boolean {
  return m.hasAccount || (m.hasPush && ch.webPush) || (m.hasPhone && (ch.sms || ch.voice || ch.webhook));
}

export function tierProblems(community: CommunityTiers, channels: ChannelsWorking): TierProblem[] {
  const problems: TierProblem[] = [];
  for (const t of community.tiers) {
    if (channels.robotTiers.includes(t.level)) continue;
    const tier = `tier ${t.level + 1} of community ${community.communityId}`;
    if (t.members.length === 0) {
      problems.push({ communityId: community.communityId, level: t.level, reason: 'nobody', message: `${tier}: nobody to notify and no group robot` });
    } else if (!t.members.some((m) => reachable(m, channels))) {
      const what = t.level === 2 ? 'family and community contacts have only phone numbers, and no SMS, voice, webhook or robot channel works'
        : 'nobody in it has the app, a push subscription, or a phone with a working SMS/voice/webhook channel';
      problems.push({ communityId: community.communityId, level: t.level, reason: 'no_working_channel', message: `${tier}: ${what}` });
    }
  }
  return problems;
}

/** A stable key of a set of problems, so the log says it once per change, not every pass. */
export function problemsKey(problems: readonly TierProblem[]): string {
  return problems.map((p) => `${p.communityId}/${p.level}/${p.reason}`).sort().join(',');
}
