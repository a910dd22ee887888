import type pg from 'pg';
import { wallClock, type Clock } from '../../domain/clock.js';
import { getChannelHealth } from '../../store/channel-settings-repository.js';

/**
 * `/readyz` detail of issue 16: the dispatcher's last channel health check; stale when none
 * landed for three reconcile periods (the dispatcher stopped, or cannot reach the database).
 */
export async function channelReadinessDetail(pool: pg.Pool, reconcileS: number, clock: Clock = wallClock) {
  try {
    const h = await getChannelHealth(pool);
    if (!h) return null; // no dispatcher has checked yet (API alone): nothing to report
    const stale = clock.nowMs() - Date.parse(h.checkedAt) > 3 * reconcileS * 1000;
    const problems = [...h.problems.map((p) => p.message), ...h.failing.map((f) => `${f.channel} keeps failing: ${f.error}`)];
    return { channels: { ok: !stale && problems.length === 0, checkedAt: h.checkedAt, stale, problems } };
  } catch {
    return null; // the database check already says what is wrong
  }
}
