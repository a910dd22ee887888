import type { DeviceKind } from '../../domain/device-kinds.js';
import { between, exponential, hashSeed, pick, seededRng, type Rng } from '../../domain/seeded-random.js';
import { localMidnight, MINUTE_MS } from '../clock.js';
import { whenOnFeet } from './on-feet.js';
import type { IncidentKind } from './responder-model.js';

/**
 * What happens to the residents (issue 14 item 4), planned ahead from the seed so that the same
 * seed gives the same day, whatever the service does. Pure. Incidents arrive at random
 * (exponential gaps) at `ratePerHour` per 200 homes; each is one of:
 * - sos_pressed: the resident presses the SOS button (and can);
 * - fall_radar: a fall in the bathroom, seen by the fall radar;
 * - fall_no_radar: a fall in a room without a radar, with the button in sight but out of reach
 *   (看得见按钮但按不到) — nothing but silence tells; while the resident is up at home (on-feet.ts);
 * - collapse_evening: a collapse between 18:00 and the resident's bedtime, silent too;
 * - mistaken_press: a press by mistake, cancelled 10–40 s later;
 * - smoke_cooking: smoke while cooking at a meal time (homes with a smoke detector).
 */
export interface SimHome {
  id: string;
  devices: ReadonlyArray<{ id: string; kind: DeviceKind; room: string | null }>;
}

export interface PlannedIncident {
  id: string;
  householdId: string;
  kind: IncidentKind;
  room: string;
  at: number;
  /** Could the resident press a button (sos, cancel)? */
  canPress: boolean;
  /** mistaken_press: when the resident presses cancel. */
  cancelAt?: number;
}

const WEIGHTS: ReadonlyArray<readonly [IncidentKind, number]> = [
  ['sos_pressed', 0.30], ['fall_radar', 0.20], ['fall_no_radar', 0.15], ['collapse_evening', 0.10], ['mistaken_press', 0.15], ['smoke_cooking', 0.10],
];
/** No home has two incidents closer than this (the resident is down, or just back from hospital). */
const SPACING_MS = 8 * 3_600_000;
const ROOMS_WITHOUT_RADAR = ['卧室', '客厅', '厨房'];

export function planIncidents(opts: {
  seed: number; homes: readonly SimHome[]; start: number; end: number; ratePerHour: number; tz: string;
  /** Only these kinds (their weights renormalised), e.g. the silent ones to measure the passive rules. */
  kinds?: readonly IncidentKind[];
}): PlannedIncident[] {
  const rng = seededRng(hashSeed(`incidents:${opts.seed}`));
  const out: PlannedIncident[] = [];
  if (opts.ratePerHour <= 0 || opts.homes.length === 0) return out;
  const meanGap = (3_600_000 / opts.ratePerHour) * (200 / opts.homes.length);
  const times = new Map<string, number[]>();
  for (let t = opts.start + exponential(rng, meanGap); t < opts.end; t += exponential(rng, meanGap)) {
    const kind = weighted(rng, opts.kinds);
    const placed = place(rng, kind, Math.round(t), opts);
    if (!placed || placed.at >= opts.end || placed.at < opts.start) continue;
    // Evening collapses and kitchen smoke move in time, so every earlier incident of a home counts.
    const free = opts.homes.filter((h) => fits(h, kind) && (times.get(h.id) ?? []).every((at) => Math.abs(at - placed.at) > SPACING_MS));
    const home = pick(rng, free);
    if (!home) continue;
    const room = roomFor(rng, kind, home);
    // A fall needs the resident on their feet at home: moved to when they are (on-feet.ts).
    const at = whenOnFeet(kind, placed.at, home, opts.tz);
    if (at >= opts.end || (times.get(home.id) ?? []).some((t) => Math.abs(t - at) <= SPACING_MS)) continue;
    times.set(home.id, [...(times.get(home.id) ?? []), at]);
    const incident: PlannedIncident = {
      id: `inc-${out.length + 1}`, householdId: home.id, kind, room, at,
      canPress: kind === 'sos_pressed' || kind === 'mistaken_press',
    };
    if (kind === 'mistaken_press') incident.cancelAt = at + Math.round(between(rng, 10_000, 40_000));
    out.push(incident);
  }
  return out.sort((a, b) => a.at - b.at);
}

function weighted(rng: Rng, only?: readonly IncidentKind[]): IncidentKind {
  const weights = only && only.length > 0 ? WEIGHTS.filter(([k]) => only.includes(k)) : WEIGHTS;
  const total = weights.reduce((n, [, w]) => n + w, 0);
  let r = rng() * total;
  for (const [k, w] of weights) { if ((r -= w) < 0) return k; }
  return weights[0]![0];
}

/** When the incident really happens: evening collapses in the evening, kitchen smoke at meals. */
function place(rng: Rng, kind: IncidentKind, t: number, opts: { tz: string }): { at: number } | null {
  const midnight = localMidnight(t, opts.tz);
  const minute = (t - midnight) / MINUTE_MS;
  if (kind === 'collapse_evening') return { at: Math.round(midnight + between(rng, 18 * 60, 22.5 * 60) * MINUTE_MS) };
  if (kind === 'smoke_cooking') {
    const meal = minute < 15 * 60 ? between(rng, 11 * 60, 12.5 * 60) : between(rng, 17 * 60, 18.5 * 60);
    return { at: Math.round(midnight + meal * MINUTE_MS) };
  }
  return { at: t };
}

function fits(h: SimHome, kind: IncidentKind): boolean {
  const has = (k: DeviceKind) => h.devices.some((d) => d.kind === k);
  switch (kind) {
    case 'sos_pressed':
    case 'mistaken_press': return has('sos_button') || has('pull_cord');
    case 'fall_radar': return has('fall_radar');
    case 'smoke_cooking': return has('smoke_detector');
    default: return true;
  }
}

function roomFor(rng: Rng, kind: IncidentKind, h: SimHome): string {
  const roomOf = (k: DeviceKind) => h.devices.find((d) => d.kind === k)?.room ?? '客厅';
  switch (kind) {
    case 'sos_pressed':
    case 'mistaken_press': return roomOf(h.devices.some((d) => d.kind === 'sos_button') ? 'sos_button' : 'pull_cord');
    case 'fall_radar': return roomOf('fall_radar');
    case 'smoke_cooking': return roomOf('smoke_detector');
    default: {
      const radarRoom = h.devices.find((d) => d.kind === 'fall_radar')?.room;
      return pick(rng, ROOMS_WITHOUT_RADAR.filter((r) => r !== radarRoom)) ?? '卧室';
    }
  }
}

/**
 * Issue 15's night check: two residents of one grid press SOS 40 s apart at 02:10 on the
 * window's first night — they must be served by two different people. Planned from its own
 * seeded stream, so the rest of the day is the same with or without it. Homes with an incident
 * within 8 h are skipped; [] when the window has no 02:10 or no grid has two free homes.
 */
export function planNightPair(opts: { seed: number; homes: readonly SimHome[]; start: number; end: number; tz: string; gridOf: (householdId: string) => string | undefined; taken: readonly PlannedIncident[] }): PlannedIncident[] {
  const rng = seededRng(hashSeed(`night-pair:${opts.seed}`));
  let at = localMidnight(opts.start, opts.tz) + (2 * 60 + 10) * MINUTE_MS;
  if (at < opts.start) at += 24 * 60 * MINUTE_MS;
  if (at + 40_000 >= opts.end) return [];
  const free = opts.homes.filter((h) => fits(h, 'sos_pressed')
    && opts.taken.every((i) => i.householdId !== h.id || Math.abs(i.at - at) > SPACING_MS));
  const byGrid = new Map<string, SimHome[]>();
  for (const h of free) {
    const g = opts.gridOf(h.id);
    if (g) byGrid.set(g, [...(byGrid.get(g) ?? []), h]);
  }
  const grids = [...byGrid].filter(([, hs]) => hs.length >= 2).map(([g]) => g).sort();
  const grid = pick(rng, grids);
  if (!grid) return [];
  const homes = [...byGrid.get(grid)!];
  const first = pick(rng, homes)!;
  const second = pick(rng, homes.filter((h) => h !== first))!;
  return [first, second].map((h, k) => ({
    id: `night-pair-${k + 1}`, householdId: h.id, kind: 'sos_pressed' as const, room: roomFor(rng, 'sos_pressed', h), at: at + k * 40_000, canPress: true,
  }));
}
