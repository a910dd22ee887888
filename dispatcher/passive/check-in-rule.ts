import { shiftOf } from '../../domain/shift-clock.js';
import { inTransaction } from '../../store/db.js';
import { addSystemNoteOnce, openSystemAlertTx } from '../../store/passive-alerts-repository.js';
import {
  claimExpiredInactivityCheck, expiredInactivityChecks, resumedInactivityAlerts, standDownInactivityChecks,
} from '../../store/passive-queries-repository.js';
import type { RuleContext } from './rule-context.js';

export interface CheckInSweepResult { stoodDown: number; opened: number; notes: number }

/**
 * Inactivity, second half (issue 4 item 11c, the `check_in` sweep rule):
 * 1. any activity (a button press included) since the quiet period began stands the pre-alarm
 *    down — the check row goes, a visits note keeps the story;
 * 2. a check past its deadline with no activity opens the inactivity alert, atomically with
 *    deleting the check (two dispatchers cannot both open it, and a crash leaves one or the other);
 * 3. activity in a home whose inactivity alert is live adds one timeline note "activity resumed
 *    at …" — not an auto-close: someone still goes to see the resident (issue 4 item 3).
 */
export async function sweepCheckIns(ctx: RuleContext): Promise<CheckInSweepResult> {
  const stood = await standDownInactivityChecks(ctx.pool, ctx.now);
  for (const s of stood) {
    ctx.log.info(`inactivity pre-alarm stood down: household ${s.householdId} active at ${s.lastActivityAt.toISOString()}`);
  }

  let opened = 0;
  const { shift } = shiftOf(ctx.now, ctx.config.GUARDIAN_TZ, ctx.config.DAY_SHIFT);
  for (const householdId of await expiredInactivityChecks(ctx.pool, ctx.now)) {
    const result = await inTransaction(ctx.pool, async (tx) => {
      const check = await claimExpiredInactivityCheck(tx, householdId, ctx.now, shift);
      if (!check) return null;
      return openSystemAlertTx(tx, {
        householdId, kind: 'inactivity', firstSignalAt: ctx.now,
        data: {
          reason: 'no activity after the automatic check-in',
          quietSince: check.quietSince?.toISOString() ?? null,
          lastActivityAt: check.lastActivityAt?.toISOString() ?? null,
          thresholdS: check.thresholdS, shift,
          checkInSentAt: check.startedAt.toISOString(), checkInDeadline: check.deadlineAt.toISOString(),
        },
      });
    });
    if (result?.created && result.alertId) {
      opened++;
      ctx.out.alertOpened(result.alertId, result.live);
      ctx.log.info(`inactivity alert ${result.alertId} opened for household ${householdId}: no activity after the check-in`);
    }
  }

  let notes = 0;
  for (const r of await resumedInactivityAlerts(ctx.pool)) {
    const at = r.lastActivityAt.toISOString();
    const live = await addSystemNoteOnce(ctx.pool, r.alertId, 'activity_resumed',
      `activity resumed at ${at} (检测到老人活动)`, { lastActivityAt: at }, ctx.now);
    if (live) {
      notes++;
      ctx.out.publish(live);
    }
  }
  return { stoodDown: stood.length, opened, notes };
}
