import { checkInPlan } from '../../domain/check-in-stages.js';
import { explainSilence, type SilenceExplanation } from '../../domain/room-aware-silence.js';
import { localTimeParts } from '../../domain/shift-clock.js';
import { assessWaterMorning, MORNING_END_MIN } from '../../domain/water-morning.js';
import { startLearnedCheck } from '../../store/passive-learned-repository.js';
import { CHECK_IN_SENT_NOTE } from '../../store/passive-queries-repository.js';
import { NO_WATER_MARK, waterMorningCandidates } from '../../store/water-morning-repository.js';
import type { RuleContext } from './rule-context.js';

const ACTIVITY_TYPES = ['motion', 'door', 'bed', 'presence', 'water_use', 'button'] as const;

/**
 * "No water all morning" for homes with a water meter (issue 19 item 3), part of the learned
 * sweep: domain/water-morning.ts decides; a home past its line starts the same staged check-in
 * as a silence (chime, voice, call, then the alert), at most once a day. Runs only in the
 * morning hours, when the answer can change.
 */
export async function sweepWaterMorning(ctx: RuleContext): Promise<number> {
  const tz = ctx.config.GUARDIAN_TZ;
  const local = localTimeParts(ctx.now, tz);
  const nowMin = local.minutes;
  if (nowMin < 4 * 60 || nowMin >= MORNING_END_MIN + 2 * 60) return 0;
  const dayStart = new Date(Math.floor(ctx.now.getTime() / 60_000) * 60_000 - nowMin * 60_000);
  let checks = 0;
  for (const h of await waterMorningCandidates(ctx.pool, { now: ctx.now, dayStart, tz, activityTypes: ACTIVITY_TYPES })) {
    const verdict = assessWaterMorning({
      nowMin, firstUseMins: h.firstUseMins, historyDays: h.historyDays, usedToday: h.usedToday, away: h.away, wentOut: h.lastTypeToday === 'door',
    });
    if (verdict.kind !== 'check') continue;
    const quietSince = h.lastActivityAt ?? dayStart;
    const explanation: SilenceExplanation = {
      reason: 'no_water', room: 'kitchen', roomName: null, lastAt: quietSince.toISOString(), usualS: null, samples: verdict.explanation.days,
      thresholdS: verdict.explanation.lineMin * 60, historyDays: verdict.explanation.historyDays, water: verdict.explanation,
    };
    const text = explainSilence(explanation, ctx.now.getTime(), tz);
    const plan = checkInPlan(ctx.now, tz);
    const deviceIds = await startLearnedCheck(ctx.pool, {
      householdId: h.householdId, now: ctx.now, quietSince, reason: 'no_water', graceS: plan.graceS, explanation,
      note: `${CHECK_IN_SENT_NOTE} ${NO_WATER_MARK}: ${text.zh}`,
    });
    if (!deviceIds) continue;
    checks++;
    ctx.out.downlink({ deviceIds, command: { type: 'check_in', stage: 'chime' } });
    ctx.log.info(`no-water check-in for household ${h.householdId}: ${text.en}`);
  }
  return checks;
}
