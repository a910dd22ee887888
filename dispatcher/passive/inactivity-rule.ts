import { shiftOf } from '../../domain/shift-clock.js';
import { startInactivityChecks } from '../../store/passive-queries-repository.js';
import { ACTIVITY_SENSOR_KINDS } from './activity-sensor-kinds.js';
import type { RuleContext } from './rule-context.js';

/**
 * Inactivity, first half (DESIGN §4; issue 4 items 3 and 11c): a home quiet for longer than its
 * threshold of the current shift (inactivity_day_s by day, inactivity_night_s by night, in
 * GUARDIAN_TZ) does not page anyone yet. It gets a pre-alarm: an inactivity_checks row with a
 * deadline CHECKIN_GRACE_S away and {"type":"check_in"} on its devices' cmd topics (speaker/LED:
 * "are you all right? press the button"). check-in-rule.ts decides what happens next.
 */
export async function sweepInactivity(ctx: RuleContext): Promise<number> {
  const { shift } = shiftOf(ctx.now, ctx.config.GUARDIAN_TZ, ctx.config.DAY_SHIFT);
  const started = await startInactivityChecks(ctx.pool, {
    now: ctx.now, shift, graceS: ctx.config.CHECKIN_GRACE_S, activityKinds: ACTIVITY_SENSOR_KINDS,
    skipLearned: (ctx.config.PASSIVE_POLICY ?? 'learned') === 'learned',
  });
  for (const s of started) {
    ctx.out.downlink({ deviceIds: s.deviceIds, command: { type: 'check_in' } });
    ctx.log.info(`inactivity pre-alarm: household ${s.householdId} quiet since ${s.quietSince.toISOString()} `
      + `(${shift} threshold ${s.thresholdS} s); check-in sent, alert in ${ctx.config.CHECKIN_GRACE_S} s without activity`);
  }
  return started.length;
}
