import { ACTIVITY_EVENTS } from '../../domain/device-kinds.js';
import { DAY_MS, localMidnight } from '../clock.js';
import { householdProfile, planDay } from '../household-routine.js';
import type { SimHomeSpec } from './homes.js';

/**
 * The weeks before a simulated day (issue 19 item 6): the same routines the homes play live
 * (household-routine.ts, same profiles and per-day seeds), as rows for `signals`, so the learned
 * rules have a history to learn from without playing weeks through MQTT. Activity events only
 * (what the baselines read); no incidents — the homes' normal life. Pure.
 */
export interface HistoryRow { ts: Date; deviceId: string; householdId: string; eventId: string; type: string; value: unknown; room: string | null }

export function planHistory(homes: readonly SimHomeSpec[], opts: { days: number; end: number; tz: string }): HistoryRow[] {
  const rows: HistoryRow[] = [];
  if (opts.days <= 0) return rows;
  const first = localMidnight(opts.end, opts.tz) - opts.days * DAY_MS;
  for (const h of homes) {
    const devices = h.credentials.map((c) => ({ deviceId: c.deviceId, kind: c.kind, room: c.room ?? null }));
    const rooms = new Map(devices.map((d) => [d.deviceId, d.room]));
    const profile = householdProfile(h.householdId, devices);
    for (let day = first; day < opts.end; day += DAY_MS) {
      for (const a of planDay({ householdId: h.householdId, devices, profile, dayStart: day, dropouts: false })) {
        if (a.at >= opts.end || a.action !== 'event' || !ACTIVITY_EVENTS.has(a.type)) continue;
        rows.push({ ts: new Date(a.at), deviceId: a.deviceId, householdId: h.householdId, eventId: `hist-${a.deviceId}-${a.at}`, type: a.type, value: a.value ?? null, room: rooms.get(a.deviceId) ?? null });
      }
    }
  }
  return rows;
}
