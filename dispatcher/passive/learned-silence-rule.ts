import { checkInPlan } from '../../domain/check-in-stages.js';
import { shiftOf } from '../../domain/shift-clock.js';
import { assessSilence, explainSilence, DAY_FLOOR_S, type SilenceVerdict } from '../../domain/room-aware-silence.js';
import { openSystemAlert } from '../../store/passive-alerts-repository.js';
import { learnedCandidates, startLearnedCheck } from '../../store/passive-learned-repository.js';
import { CHECK_IN_SENT_NOTE } from '../../store/passive-queries-repository.js';
import { ACTIVITY_SENSOR_KINDS } from './activity-sensor-kinds.js';
import type { RuleContext } from './rule-context.js';
import { sweepWaterMorning } from './water-morning-rule.js';

export interface LearnedSweepResult { candidates: number; checks: number; wandering: number; away: number; fallback: number; noWater: number }

/**
 * The learned rules of issue 19 (PASSIVE_POLICY=learned): for each home with enough history and
 * quiet for at least the smallest learned line, domain/room-aware-silence.ts judges the silence
 * by the room and hour of the last sign of life — room silence, a night bathroom visit that does
 * not end, not up by the usual time — and starts a staged check-in (chime, then voice; see
 * check-in-rule.ts for what follows), or, for a night departure without return, opens a
 * 'wandering' alert. Homes without enough history stay with the static rule (inactivity-rule.ts),
 * which keeps running for every home as the floor.
 */
export async function sweepLearnedSilence(ctx: RuleContext): Promise<LearnedSweepResult> {
  const result: LearnedSweepResult = { candidates: 0, checks: 0, wandering: 0, away: 0, fallback: 0, noWater: 0 };
  if ((ctx.config.PASSIVE_POLICY ?? 'learned') !== 'learned') return result;
  const tz = ctx.config.GUARDIAN_TZ;
  const now = ctx.now.getTime();
  const { shift } = shiftOf(ctx.now, tz, ctx.config.DAY_SHIFT);
  const homes = await learnedCandidates(ctx.pool, { now: ctx.now, floorS: DAY_FLOOR_S, activityKinds: ACTIVITY_SENSOR_KINDS, day: shift === 'day' });
  result.candidates = homes.length;
  for (const h of homes) {
    // A person alert closed after the last signal: a responder saw the resident then — count
    // from there, as after an answered check-in (the static rule restarts its count the same way).
    const closed = h.lastClosedAt?.getTime() ?? null;
    const signals = closed !== null && closed > (h.signals[0]?.at ?? 0)
      ? [{ at: closed, room: null, type: 'button' }, ...h.signals] : h.signals;
    const verdict: SilenceVerdict = assessSilence({
      now, tz, signals, baselines: h.baselines, rhythm: h.rhythm, sensitivity: h.sensitivity,
      recentAlertAt: h.recentAlertAt?.getTime() ?? null,
    });
    if (verdict.kind === 'away') { result.away++; continue; }
    if (verdict.kind === 'quiet') continue;
    if (verdict.kind === 'static') {
      // Nothing learned for this room or hour: this home's static threshold, as the static rule would.
      result.fallback++;
      if (now - h.lastActivityAt.getTime() < h.staticThresholdS * 1000) continue;
      const plan = checkInPlan(ctx.now, tz);
      const deviceIds = await startLearnedCheck(ctx.pool, {
        householdId: h.householdId, now: ctx.now, quietSince: h.lastActivityAt, reason: 'static', graceS: plan.graceS, explanation: null,
        note: CHECK_IN_SENT_NOTE,
      });
      if (deviceIds) { result.checks++; ctx.out.downlink({ deviceIds, command: { type: 'check_in', stage: 'chime' } }); }
      continue;
    }
    const text = explainSilence(verdict.explanation, now, tz);
    if (verdict.kind === 'wandering') {
      const opened = await openSystemAlert(ctx.pool, {
        householdId: h.householdId, kind: 'wandering', firstSignalAt: ctx.now,
        data: {
          reason: 'front door opened at night, no return', quietSince: verdict.explanation.lastAt,
          explanation: { ...verdict.explanation, ...text },
        },
      });
      if (opened.created && opened.alertId) {
        result.wandering++;
        ctx.out.alertOpened(opened.alertId, opened.live);
        ctx.log.info(`wandering alert ${opened.alertId} opened for household ${h.householdId}: ${text.en}`);
      }
      continue;
    }
    const plan = checkInPlan(ctx.now, tz);
    const deviceIds = await startLearnedCheck(ctx.pool, {
      householdId: h.householdId, now: ctx.now, quietSince: new Date(verdict.explanation.lastAt), reason: verdict.reason,
      graceS: plan.graceS, explanation: verdict.explanation, note: `${CHECK_IN_SENT_NOTE}: ${text.zh}`,
    });
    if (!deviceIds) continue;
    result.checks++;
    ctx.out.downlink({ deviceIds, command: { type: 'check_in', stage: 'chime' } });
    ctx.log.info(`learned check-in (${verdict.reason}) for household ${h.householdId}: ${text.en}; stages ${plan.graceS.join(' s + ')} s`);
  }
  // Homes with a water meter: no water by this home's usual time (after the silences, which come first).
  result.noWater = await sweepWaterMorning(ctx);
  return result;
}
