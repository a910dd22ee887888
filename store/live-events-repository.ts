import type { LiveEvent, UnsequencedLiveEvent } from '../domain/live-events.js';
import type { Queryable } from './db.js';

/**
 * The live feed's durable half (DESIGN §6): events are appended in the transaction of the
 * change they describe, so the feed never shows a change that was rolled back and never misses
 * one that committed. Redis pub/sub carries them fast; this table fills any gap and serves
 * `?since=seq` resumes.
 */
/** `at`: the service clock's now (DESIGN §11); the database's own clock when absent. */
export async function appendLiveEvents(db: Queryable, events: UnsequencedLiveEvent[], at?: Date): Promise<LiveEvent[]> {
  if (events.length === 0) return [];
  const r = await db.query<{ seq: number }>(
    `INSERT INTO live_events (type, data, at) SELECT t, d, COALESCE($3::timestamptz, now()) FROM unnest($1::text[], $2::jsonb[]) AS u(t, d) RETURNING seq`,
    [events.map((e) => e.type), events.map((e) => JSON.stringify(e.data)), at ?? null]);
  return events.map((e, i) => ({ ...e, seq: r.rows[i]!.seq }) as LiveEvent);
}

export async function liveEventsSince(db: Queryable, since: number, limit = 1000): Promise<LiveEvent[]> {
  const r = await db.query<LiveEvent>(
    `SELECT seq, type, data FROM live_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [since, limit]);
  return r.rows;
}

export async function latestLiveSeq(db: Queryable): Promise<number> {
  const r = await db.query<{ seq: number | null }>(`SELECT max(seq) AS seq FROM live_events`);
  return Number(r.rows[0]?.seq ?? 0);
}

/** The feed is for screens, not history (alert_events is the evidence): keep a day. */
export async function pruneLiveEvents(db: Queryable, now: Date, olderThanHours = 24): Promise<number> {
  const r = await db.query(`DELETE FROM live_events WHERE at < $2::timestamptz - make_interval(hours => $1)`, [olderThanHours, now]);
  return r.rowCount ?? 0;
}
