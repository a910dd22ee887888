import { roomCategory } from '../../domain/room-category.js';
import { shiftOf } from '../../domain/shift-clock.js';
import { percentile, type ProductAlert } from './day-kpis.js';
import type { Ledger } from './ledger.js';

/**
 * How well the passive rules find the resident who cannot press the button (issue 19), from the
 * ground truth. Pure.
 * - Episodes: incidents where only silence tells (fall without a radar, evening collapse).
 * - Detected: a critical/high alert of the home after the episode began, before it was over.
 *   An episode still undetected with less than `censorAfterMs` of the window left is 'open'
 *   (censored), neither detected nor missed.
 * - Delay: alert − incident, split by where the last sign of life was: bathroom/kitchen/living
 *   room by day (the day shift), or otherwise (bedroom, door, at night).
 * - False inactivity alerts: inactivity/wandering alerts while no incident of the home was under
 *   way; check-ins: automatic check-ins started while none was (answered or not).
 */
export interface PassiveKpis {
  episodes: number;
  detected: number;
  missed: number;
  open: number;
  detectedPct: number | null;
  dayRooms: DelayStats;
  otherwise: DelayStats;
  homeDays: number;
  falseAlerts: number;
  falseAlertsPerHomeDay: number | null;
  checkIns: number;
  checkInsPerHomeDay: number | null;
  checkInsDuringEpisodes: number;
}

export interface DelayStats { n: number; medianMin: number | null; p90Min: number | null }

const SILENT = new Set(['fall_no_radar', 'collapse_evening']);
const PASSIVE_KINDS = new Set(['inactivity', 'wandering']);
const DAY_ROOMS = new Set(['bathroom', 'kitchen', 'living']);

export function passiveKpis(p: {
  alerts: readonly ProductAlert[]; ledger: Ledger; checkIns: ReadonlyArray<{ householdId: string; at: number }>;
  window: { start: number; end: number }; homes: number; tz: string; dayShift: string; censorAfterMs?: number;
}): PassiveKpis {
  const censor = p.censorAfterMs ?? 12 * 3_600_000;
  const serious = p.alerts.filter((a) => a.severity === 'critical' || a.severity === 'high');
  let detected = 0, missed = 0, open = 0;
  const day: number[] = [], other: number[] = [];
  for (const inc of p.ledger.incidents.filter((i) => SILENT.has(i.kind))) {
    const next = p.ledger.incidents.filter((j) => j.householdId === inc.householdId && j.at > inc.at).map((j) => j.at).sort((a, b) => a - b)[0] ?? Infinity;
    const alert = serious.filter((a) => a.householdId === inc.householdId && a.firstSignalAt >= inc.at && a.firstSignalAt < next
      && (inc.overAt === null || a.firstSignalAt <= inc.overAt)).sort((a, b) => a.firstSignalAt - b.firstSignalAt)[0];
    if (!alert) {
      if (p.window.end - inc.at < censor) open++;
      else missed++;
      continue;
    }
    detected++;
    const delayMin = (alert.firstSignalAt - inc.at) / 60_000;
    const seenAt = inc.lastSignOfLifeAt ?? inc.at;
    const byDay = shiftOf(new Date(seenAt), p.tz, p.dayShift).shift === 'day';
    (byDay && DAY_ROOMS.has(roomCategory(inc.lastSignOfLifeRoom)) ? day : other).push(delayMin);
  }
  const during = (householdId: string, at: number) => p.ledger.incidents.some((i) => i.householdId === householdId && i.at <= at && (i.overAt === null || i.overAt >= at));
  const falseAlerts = p.alerts.filter((a) => PASSIVE_KINDS.has(a.kind) && !during(a.householdId, a.firstSignalAt)).length;
  const calm = p.checkIns.filter((c) => !during(c.householdId, c.at));
  const homeDays = (p.homes * (p.window.end - p.window.start)) / 86_400_000;
  const round = (x: number | null, k = 10) => (x === null ? null : Math.round(x * k) / k);
  const stats = (xs: number[]): DelayStats => ({ n: xs.length, medianMin: round(percentile(xs, 0.5)), p90Min: round(percentile(xs, 0.9)) });
  const decided = detected + missed;
  return {
    episodes: detected + missed + open, detected, missed, open,
    detectedPct: decided === 0 ? null : round((100 * detected) / decided),
    dayRooms: stats(day), otherwise: stats(other),
    homeDays: round(homeDays)!,
    falseAlerts, falseAlertsPerHomeDay: homeDays === 0 ? null : round(falseAlerts / homeDays, 10_000),
    checkIns: calm.length, checkInsPerHomeDay: homeDays === 0 ? null : round(calm.length / homeDays, 10_000),
    checkInsDuringEpisodes: p.checkIns.length - calm.length,
  };
}
