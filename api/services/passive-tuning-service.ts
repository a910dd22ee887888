import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import { IN_BED_KEY, MIN_HISTORY_DAYS, type Sensitivity } from '../../domain/room-aware-silence.js';
import { writeAudit } from '../../store/audit-repository.js';
import { inTransaction } from '../../store/db.js';
import { loadRhythm } from '../../store/passive-baseline-repository.js';
import { getTuning, recentPassiveExplanations, saveTuning } from '../../store/passive-learned-repository.js';
import { badRequest } from '../api-error.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';

/** Hours counted as "day" in the household file's summary of usual silences. */
const DAY_HOURS = { from: 7, to: 21 };
/** Away mode is for a stay in hospital or with family, not for switching a home off for good. */
const AWAY_MAX_DAYS = 90;

/**
 * The passive rules of one home for the household file (issue 19 items 5, 6): what the home's
 * own history taught (wake-up, bedtime, usual silence per room) and the care team's tuning —
 * sensitivity and away mode — changed by the dispatch room only, each change in the audit log
 * with who, when, before and after.
 */
export class PassiveTuningService {
  constructor(private readonly pool: pg.Pool, private readonly access: AccessService, private readonly clock: Clock, private readonly policy: 'learned' | 'static') {}

  async profile(actor: Actor, householdId: string) {
    await this.access.household(actor, householdId);
    const [tuning, learned, explanations] = await Promise.all([
      getTuning(this.pool, householdId), loadRhythm(this.pool, householdId), recentPassiveExplanations(this.pool, householdId),
    ]);
    const rooms = new Map<string, { room: string; inBed: boolean; dayP99S: number | null; nightP99S: number | null; samples: number }>();
    for (const b of learned?.baselines ?? []) {
      const r = rooms.get(b.room) ?? { room: b.room, inBed: b.room === IN_BED_KEY, dayP99S: null, nightP99S: null, samples: 0 };
      const day = b.hour >= DAY_HOURS.from && b.hour < DAY_HOURS.to;
      if (day) r.dayP99S = Math.max(r.dayP99S ?? 0, b.gapP99S);
      else r.nightP99S = Math.max(r.nightP99S ?? 0, b.gapP99S);
      r.samples += b.samples;
      rooms.set(b.room, r);
    }
    return {
      policy: this.policy,
      tuning: { sensitivity: tuning.sensitivity, awayUntil: tuning.awayUntil, awayNote: tuning.awayNote, updatedBy: tuning.updatedBy, updatedAt: tuning.updatedAt },
      rhythm: learned ? {
        historyDays: learned.rhythm.historyDays, enoughHistory: learned.rhythm.enoughHistory, minHistoryDays: MIN_HISTORY_DAYS,
        wakeMedianMin: learned.rhythm.wakeMedianMin, wakeP99Min: learned.rhythm.wakeP99Min, bedMedianMin: learned.rhythm.bedMedianMin,
        computedAt: learned.rhythm.computedAt,
      } : null,
      rooms: [...rooms.values()].sort((a, b) => a.room.localeCompare(b.room)),
      explanations,
    };
  }

  async update(actor: Actor, householdId: string, body: { sensitivity: Sensitivity; awayUntil: string | null; awayNote: string | null }) {
    await this.access.household(actor, householdId);
    this.access.mayWrite(actor);
    const now = this.clock.now();
    const awayUntil = body.awayUntil === null ? null : new Date(body.awayUntil);
    if (awayUntil && awayUntil.getTime() <= now.getTime()) {
      throw badRequest('body.awayUntil: 离开结束时间须晚于现在；要结束离开模式请留空 (must be in the future; send null to end away mode)', 'away_until_past');
    }
    if (awayUntil && awayUntil.getTime() > now.getTime() + AWAY_MAX_DAYS * 86_400_000) {
      throw badRequest(`body.awayUntil: 离开模式最长 ${AWAY_MAX_DAYS} 天，到期后可再延长 (at most ${AWAY_MAX_DAYS} days; extend it when it ends)`, 'away_until_too_far');
    }
    return inTransaction(this.pool, async (tx) => {
      const before = await getTuning(tx, householdId);
      const after = await saveTuning(tx, { householdId, sensitivity: body.sensitivity, awayUntil, awayNote: body.awayNote, by: actor.username, at: now });
      await writeAudit(tx, {
        username: actor.username, role: actor.role, action: 'household.passive_tuning', target: householdId, ip: actor.ip,
        data: {
          before: { sensitivity: before.sensitivity, awayUntil: before.awayUntil, awayNote: before.awayNote },
          after: { sensitivity: after.sensitivity, awayUntil: after.awayUntil, awayNote: after.awayNote },
        },
      }, now);
      return after;
    });
  }
}
