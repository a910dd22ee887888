import { CHECK_IN_STAGE_NAMES } from '../../domain/check-in-stages.js';
import { explainSilence, explainStatic } from '../../domain/room-aware-silence.js';
import { shiftOf } from '../../domain/shift-clock.js';
import { addCheckInNote, checkInNotesSince, skipCallStage } from '../../store/check-in-call-repository.js';
import { inTransaction } from '../../store/db.js';
import { escalateChecks } from '../../store/passive-learned-repository.js';
import { addSystemNoteOnce, openSystemAlertTx } from '../../store/passive-alerts-repository.js';
import {
  claimExpiredInactivityCheck, expiredInactivityChecks, resumedInactivityAlerts, standDownInactivityChecks,
} from '../../store/passive-queries-repository.js';
import type { RuleContext } from './rule-context.js';

export interface CheckInSweepResult { stoodDown: number; escalated: number; calls: number; opened: number; notes: number }

export const CHECK_IN_VOICE_NOTE = 'no answer to the chime: spoken check-in sent (未回应提示音，已发送语音问候)';

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

  // Staged check-ins (issue 19): an unanswered chime becomes a spoken check-in, an unanswered
  // spoken check-in a call to the resident's phone, before any alert. The call stage writes its
  // own note: placed, or skipped with the reason (then the alert comes in this same sweep).
  const escalated = await escalateChecks(ctx.pool, ctx.now, [null, CHECK_IN_VOICE_NOTE, null]);
  let calls = 0;
  for (const e of escalated) {
    const stage = CHECK_IN_STAGE_NAMES[e.stage - 1] ?? 'voice';
    if (stage === 'call') {
      const outcome = ctx.caller
        ? await ctx.caller.call(e.householdId, ctx.now).catch((err: unknown) => ({ status: 'failed' as const, said: `the call could not be placed: ${err instanceof Error ? err.message : String(err)} (电话问候未能拨出)` }))
        : { status: 'skipped' as const, said: CHECK_IN_NO_CALLER_NOTE };
      if (outcome.status === 'sent') {
        calls++;
        await addCheckInNote(ctx.pool, e.householdId, ctx.now, outcome.said);
      } else {
        await skipCallStage(ctx.pool, e.householdId, ctx.now, outcome.said);
      }
      ctx.log.info(`check-in stage ${e.stage} (call, ${outcome.status}) for household ${e.householdId}`);
      continue;
    }
    ctx.out.downlink({ deviceIds: e.deviceIds, command: { type: 'check_in', stage: 'voice' } });
    ctx.log.info(`check-in stage ${e.stage} (voice) for household ${e.householdId}`);
  }

  let opened = 0;
  const tz = ctx.config.GUARDIAN_TZ;
  const { shift } = shiftOf(ctx.now, ctx.config.GUARDIAN_TZ, ctx.config.DAY_SHIFT);
  for (const householdId of await expiredInactivityChecks(ctx.pool, ctx.now)) {
    const result = await inTransaction(ctx.pool, async (tx) => {
      const check = await claimExpiredInactivityCheck(tx, householdId, ctx.now, shift);
      if (!check) return null;
      const stages = await checkInNotesSince(tx, householdId, check.startedAt);
      // Every alert explains itself (issue 19 item 5), in both languages, as of the moment it opens.
      const text = check.explanation
        ? explainSilence(check.explanation, ctx.now.getTime(), tz)
        : explainStatic({ quietSince: check.quietSince?.toISOString() ?? null, thresholdS: check.thresholdS, historyDays: check.historyDays }, ctx.now.getTime(), tz);
      return openSystemAlertTx(tx, {
        householdId, kind: 'inactivity', firstSignalAt: ctx.now,
        data: {
          reason: 'no activity after the automatic check-in',
          rule: check.reason === 'static' ? 'inactivity' : check.reason,
          explanation: { ...(check.explanation ?? { reason: 'static', thresholdS: check.thresholdS }), ...text },
          checkInStages: check.stage, checkInTimeline: stages,
          quietSince: check.quietSince?.toISOString() ?? null,
          lastActivityAt: check.lastActivityAt?.toISOString() ?? null,
          thresholdS: check.explanation?.thresholdS ?? check.thresholdS, shift,
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
  return { stoodDown: stood.length, escalated: escalated.length, calls, opened, notes };
}

export const CHECK_IN_NO_CALLER_NOTE = 'no phone calls in this run: call skipped (本次运行不拨打电话，跳过电话问候)';
