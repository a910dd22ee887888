import { explainWaterMorning, type WaterExplanation } from './water-morning.js';
import { roomCategory, ROOM_LABEL, type RoomCategory } from './room-category.js';
import { localTimeParts } from './shift-clock.js';

/**
 * Room-aware silence (issue 19 item 2), pure. Which silence is unusual depends on where the
 * resident was last seen and when, learned from the home's own history: the gap that follows a
 * sign of life in that room at that local hour, p99 over 28 days (household_silence_baselines).
 * - bathroom / kitchen / living room by day: tens of minutes;
 * - at night: hours, but never past the usual wake-up + a margin ("not up by the usual time");
 * - the last sign was the front door after indoor activity: the resident went out — away, not
 *   silent; at night, with no return within WANDER_AFTER_MS, that is its own alert (wandering);
 * - a home with too little history, or no baseline for the room, keeps the static thresholds.
 */

export type Sensitivity = 'low' | 'normal' | 'high';
export const SENSITIVITIES: readonly Sensitivity[] = ['low', 'normal', 'high'];

/**
 * p99 × factor + the larger of pad and tailShare × p99: 'normal' is the worst of 28 days plus four
 * minutes, or an eighth of it for long silences — a day a little slower than any on record. The
 * p99 of 28 days is nearly their maximum, which a new day exceeds about once in 29 for each
 * silence of the day; a long silence (an outing, a meal in a room without a sensor) varies by
 * more than four minutes, and a fixed pad then sent a check-in to a home every week.
 */
export const SENSITIVITY_MARGIN: Record<Sensitivity, { factor: number; padS: number; tailShare: number }> = {
  high: { factor: 0.9, padS: 60, tailShare: 0 },
  normal: { factor: 1.0, padS: 240, tailShare: 0.125 },
  low: { factor: 1.3, padS: 600, tailShare: 0.2 },
};

/** The learned line for a usual silence of p99S, before floor and ceiling. */
export function lineAbove(p99S: number, sensitivity: Sensitivity): number {
  const m = SENSITIVITY_MARGIN[sensitivity];
  return Math.round(p99S * m.factor + Math.max(m.padS, p99S * m.tailShare));
}

/** lineAbove held between the floor and the ceiling of the day part. */
const clampedLine = (p99S: number, sensitivity: Sensitivity, floorS: number, ceilingS: number) =>
  Math.min(ceilingS, Math.max(floorS, lineAbove(p99S, sensitivity)));

export const MIN_HISTORY_DAYS = 14;
/** Fewer gaps than this in a (room, hour ± 1) pool and the room's whole day part is used instead. */
export const MIN_SAMPLES = 6;
export const DAY_FLOOR_S = 10 * 60;
export const NIGHT_FLOOR_S = 20 * 60;
/** The static 6 h by day: learning never watches a home less closely than the static rule (which runs beside it). */
export const DAY_CEILING_S = 6 * 3600;
export const NIGHT_CEILING_S = 12 * 3600;
/** Not up by the latest usual wake-up (p99 of 28 days) + this. */
export const WAKE_MARGIN_MIN = 30;
/** A learned night silence this long is sleep: the wake-up decides, not the longest night on record. */
export const SLEEP_GAP_S = 3 * 3600;
/** A night departure with no return for this long is 'wandering'. */
export const WANDER_AFTER_MS = 20 * 60_000;
/** Door events this close together are one passage (open, closed). */
const DOOR_CLUSTER_MS = 3 * 60_000;
/** Default night when the home's bedtime/wake-up are not known yet. */
const DEFAULT_NIGHT = { startMin: 22 * 60, endMin: 6 * 60 };

export interface RecentSignal {
  at: number; room: string | null; type: string;
  /** The baseline it is judged by when not its room: IN_BED_KEY for a bed sensor saying "in bed". */
  key?: string;
}
/**
 * Lying down is not being in the bedroom: the silence after "in bed" is sleep or a nap, the
 * silence after getting up is minutes. Baselines of in-bed signals are kept under this key.
 */
export const IN_BED_KEY = '@in_bed';
export interface SilenceBaseline { room: string; hour: number; samples: number; gapP99S: number }
export interface RhythmSummary {
  enoughHistory: boolean; historyDays: number; wakeP99Min: number | null; bedMedianMin: number | null;
  /** Usual wake-up (median); a signal less than 30 min before it may already be the morning. */
  wakeMedianMin?: number | null;
}

export interface SilenceInput {
  now: number;
  tz: string;
  /** The home's latest activity signals, newest first (a handful is enough). */
  signals: readonly RecentSignal[];
  baselines: readonly SilenceBaseline[];
  rhythm: RhythmSummary | null;
  sensitivity: Sensitivity;
  /**
   * When the person alert under way at the last signal closed (now, if still live), if it was
   * under way then or closed in the 2 h before it (the caller selects it): a door passage then is
   * the responder's (a visit, a hospital transfer), not the resident leaving.
   */
  recentAlertAt: number | null;
}

export type SilenceReason = 'room_silence' | 'not_up' | 'night_bathroom' | 'not_back' | 'no_water';

/** What a check-in or alert explains itself with (rendered by explainSilence at the moment it is shown). */
export interface SilenceExplanation {
  reason: SilenceReason | 'wandering';
  room: RoomCategory;
  roomName: string | null;
  lastAt: string;
  /** The learned line: p99 gap for that room at that hour (s), and what it rests on. */
  usualS: number | null;
  samples: number | null;
  thresholdS: number;
  wakeP99Min?: number | null;
  historyDays: number;
  /** 'no_water': the learned morning water line (domain/water-morning.ts). */
  water?: WaterExplanation;
}

export type SilenceVerdict =
  | { kind: 'static'; why: 'no_history' | 'no_baseline' | 'no_signal' }
  | { kind: 'away'; since: number }
  | { kind: 'quiet'; dueAt: number; explanation: SilenceExplanation }
  | { kind: 'check'; reason: SilenceReason; explanation: SilenceExplanation }
  | { kind: 'wandering'; explanation: SilenceExplanation };

const HOUR_MS = 3_600_000;

export function assessSilence(input: SilenceInput): SilenceVerdict {
  const { rhythm } = input;
  if (!rhythm || !rhythm.enoughHistory) return { kind: 'static', why: 'no_history' };
  const last = input.signals[0];
  if (!last) return { kind: 'static', why: 'no_signal' };
  const local = localTimeParts(new Date(last.at), input.tz);
  const lastMin = local.minutes;
  const night = nightWindow(rhythm);
  const atNight = inNight(lastMin, night);

  // The front door: a passage after indoor activity is a departure (away); one after another
  // passage — or after hours of nothing — is a return, and the silence rules apply again.
  if (last.type === 'door') {
    const before = input.signals.find((s) => s.type !== 'door' || last.at - s.at > DOOR_CLUSTER_MS);
    const departed = before !== undefined && before.type !== 'door' && last.at - before.at < 6 * HOUR_MS;
    if (departed) {
      const theirs = input.recentAlertAt !== null && last.at - input.recentAlertAt < 2 * HOUR_MS;
      if (atNight && !theirs && input.now - last.at >= WANDER_AFTER_MS) {
        return { kind: 'wandering', explanation: explanationOf('wandering', last, null, WANDER_AFTER_MS / 1000, rhythm) };
      }
      if (atNight || theirs) return { kind: 'away', since: last.at };
      // Out by day: away — but not for longer than this home's outings at that hour (p99 of the
      // silence after the door), else a check-in (a fall just inside the door looks the same).
      // The longer of this hour's outings and the day's: outings are few, and the worst of a handful
      // is soon exceeded (a walk a little longer than the five on record).
      const outing = longer(usualSilence(input.baselines, last.room ?? '', Math.floor(lastMin / 60), night),
        usualSilence(input.baselines, last.room ?? '', Math.floor(lastMin / 60), night, 'part'));
      if (!outing) return { kind: 'static', why: 'no_baseline' };
      const backS = clampedLine(outing.p99S, input.sensitivity, DAY_FLOOR_S, DAY_CEILING_S);
      const explanation = explanationOf('not_back', last, outing, backS, rhythm);
      if (input.now < last.at + backS * 1000) return { kind: 'away', since: last.at };
      return { kind: 'check', reason: 'not_back', explanation };
    }
  }

  const cat = roomCategory(last.room);
  const hour = Math.floor(lastMin / 60);
  const wakeMedian = rhythm.wakeMedianMin ?? rhythm.wakeP99Min;
  const toMorning = wakeMedian === null ? null : minutesBefore(lastMin, wakeMedian);
  const beforeMorning = toMorning === null || (toMorning > 30 && toMorning < 14 * 60);
  // A button press is the resident answering (a check-in, a mistaken press): they said they are
  // fine, in whatever room the button hangs. What follows is judged by the home's worst usual
  // silence at that hour — or, at night, by the wake-up — never by the button's own room (a
  // resident who answers and goes back to sleep must not be rung again every half hour).
  // In the night, a room with too few signs of life at this hour is judged by its nights — the
  // hours from the usual bedtime to the morning, not the evening before (a night bathroom visit
  // that does not end); an in-bed signal's nights are the sleep itself, so the wake-up decides.
  const learned = last.type === 'door' || last.type === 'button'
    ? usualIndoor(input.baselines, hour, last.type === 'door' ? last.room : null)
    : usualSilence(input.baselines, last.key ?? last.room ?? '', hour, night, atNight && beforeMorning ? sleepWindow(rhythm) : true);
  const floor = atNight ? NIGHT_FLOOR_S : DAY_FLOOR_S;
  const ceiling = atNight ? NIGHT_CEILING_S : DAY_CEILING_S;
  let reason: SilenceReason = atNight && cat === 'bathroom' ? 'night_bathroom' : 'room_silence';
  let thresholdS = learned && !(atNight && last.type === 'button')
    ? clampedLine(learned.p99S, input.sensitivity, floor, ceiling)
    : Number.POSITIVE_INFINITY;
  // At night, before the usual morning: the sleep lasts until the latest usual wake-up + margin
  // ("not up by the usual time") — the wake-up, not the longest night of 28 days, is the line
  // for a long silence; a short learned line (a night bathroom visit) still comes first.
  if (atNight && rhythm.wakeP99Min !== null && beforeMorning) {
    const untilWakeMin = ((rhythm.wakeP99Min + WAKE_MARGIN_MIN - lastMin) % 1440 + 1440) % 1440;
    const untilWakeS = untilWakeMin * 60;
    if ((untilWakeS < thresholdS || (thresholdS >= SLEEP_GAP_S && Number.isFinite(thresholdS))) && untilWakeMin < 14 * 60) {
      thresholdS = untilWakeS;
      reason = 'not_up';
    }
  }
  if (!Number.isFinite(thresholdS)) return { kind: 'static', why: 'no_baseline' };
  const explanation = explanationOf(reason, last, learned, thresholdS, rhythm);
  const dueAt = last.at + thresholdS * 1000;
  if (input.now < dueAt) return { kind: 'quiet', dueAt, explanation };
  return { kind: 'check', reason, explanation };
}

function explanationOf(reason: SilenceExplanation['reason'], last: RecentSignal, learned: { p99S: number; samples: number } | null,
  thresholdS: number, rhythm: RhythmSummary): SilenceExplanation {
  return {
    reason, room: roomCategory(last.room), roomName: last.room, lastAt: new Date(last.at).toISOString(),
    usualS: learned?.p99S ?? null, samples: learned?.samples ?? null, thresholdS,
    wakeP99Min: rhythm.wakeP99Min, historyDays: rhythm.historyDays,
  };
}

export function nightWindow(r: Pick<RhythmSummary, 'bedMedianMin' | 'wakeP99Min'>): { startMin: number; endMin: number } {
  if (r.bedMedianMin === null || r.wakeP99Min === null) return DEFAULT_NIGHT;
  // From an hour before the usual bedtime to the latest usual wake-up.
  return { startMin: ((r.bedMedianMin - 60) % 1440 + 1440) % 1440, endMin: r.wakeP99Min };
}

/**
 * The usual sleep: from an hour after the usual bedtime (the last of the evening is not the night)
 * to half an hour before the usual wake-up.
 */
export function sleepWindow(r: Pick<RhythmSummary, 'bedMedianMin' | 'wakeP99Min' | 'wakeMedianMin'>): { startMin: number; endMin: number } {
  const wake = r.wakeMedianMin ?? r.wakeP99Min;
  if (r.bedMedianMin === null || wake === null || wake === undefined) return { startMin: DEFAULT_NIGHT.startMin + 120, endMin: DEFAULT_NIGHT.endMin - 30 };
  return { startMin: (r.bedMedianMin + 60) % 1440, endMin: ((wake - 30) % 1440 + 1440) % 1440 };
}

export function inNight(minute: number, w: { startMin: number; endMin: number }): boolean {
  return w.startMin > w.endMin ? minute >= w.startMin || minute < w.endMin : minute >= w.startMin && minute < w.endMin;
}

/**
 * The p99 silence after a signal in `room` at local `hour`: the pool of that hour and its
 * neighbours (a 10:58 signal is much like an 11:02 one); with too few samples, the worst of the
 * room's whole day part (day or night) — or of the window given (the sleep), or nothing (false).
 * 'part' asks for the day part's whole pool. Conservative both ways: max of p99s, not a mean.
 */
export function usualSilence(baselines: readonly SilenceBaseline[], room: string, hour: number, night: { startMin: number; endMin: number },
  fallback: boolean | 'part' | { startMin: number; endMin: number } = true): { p99S: number; samples: number } | null {
  const mine = baselines.filter((b) => b.room === room);
  const near = mine.filter((b) => circular(b.hour, hour) <= 1);
  const nearN = near.reduce((n, b) => n + b.samples, 0);
  if (nearN >= MIN_SAMPLES && fallback !== 'part') return { p99S: Math.max(...near.map((b) => b.gapP99S)), samples: nearN };
  if (fallback === false) return null;
  // A window: the pool is that window's hours only (the sleep, for a sign of life in the night).
  const nightHour = inNight(hour * 60 + 30, night);
  const part = fallback === true || fallback === 'part'
    ? mine.filter((b) => inNight(b.hour * 60 + 30, night) === nightHour)
    : mine.filter((b) => inNight(b.hour * 60 + 30, fallback));
  const partN = part.reduce((n, b) => n + b.samples, 0);
  if (partN >= MIN_SAMPLES) return { p99S: Math.max(...part.map((b) => b.gapP99S)), samples: partN };
  return null;
}

const longer = (a: { p99S: number; samples: number } | null, b: { p99S: number; samples: number } | null) =>
  (a === null ? b : b === null || a.p99S >= b.p99S ? a : b);

/** Back through the door, or after a button press: the worst usual silence of the home's indoor rooms at that hour (± 1). */
function usualIndoor(baselines: readonly SilenceBaseline[], hour: number, exceptRoom: string | null): { p99S: number; samples: number } | null {
  const indoor = baselines.filter((b) => b.room !== (exceptRoom ?? '') && roomCategory(b.room) !== 'entrance' && circular(b.hour, hour) <= 1);
  const n = indoor.reduce((k, b) => k + b.samples, 0);
  return n >= MIN_SAMPLES ? { p99S: Math.max(...indoor.map((b) => b.gapP99S)), samples: n } : null;
}

const circular = (a: number, b: number) => Math.min((a - b + 24) % 24, (b - a + 24) % 24);
/** Minutes from `minute` forward to `target` on the 24 h clock. */
const minutesBefore = (minute: number, target: number) => ((target - minute) % 1440 + 1440) % 1440;

const hhmm = (iso: string, tz: string) => {
  const m = localTimeParts(new Date(iso), tz).minutes;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
const minToHhmm = (m: number) => `${String(Math.floor(((m % 1440) + 1440) % 1440 / 60)).padStart(2, '0')}:${String(((m % 60) + 60) % 60).padStart(2, '0')}`;

/**
 * The sentence for the alert and the household file (issue 19 item 5), e.g. "进入卫生间 07:10 后
 * 52 分钟无活动；平时在卫生间停留 ≤ 18 分钟（28 天 p99）". `now` sets the silence so far.
 */
export function explainSilence(e: SilenceExplanation, now: number, tz: string): { zh: string; en: string } {
  const at = hhmm(e.lastAt, tz);
  const quietMin = Math.max(0, Math.round((now - Date.parse(e.lastAt)) / 60_000));
  const usualMin = e.usualS === null ? null : Math.max(1, Math.round(e.usualS / 60));
  const r = ROOM_LABEL[e.room];
  const days = e.historyDays;
  const usualZh = usualMin === null ? '' : `；平时此时段在${r.zh}之后 ≤ ${usualMin} 分钟就有活动（${days} 天 p99）`;
  const usualEn = usualMin === null ? '' : `; usually the next sign of life comes within ${usualMin} min (p99 over ${days} days)`;
  if (e.reason === 'no_water' && e.water) return explainWaterMorning(e.water);
  switch (e.reason) {
    case 'wandering':
      return {
        zh: `夜间 ${at} 从入户门外出，${quietMin} 分钟未返回`,
        en: `went out through the front door at night at ${at}; not back after ${quietMin} min`,
      };
    case 'not_up': {
      const wake = e.wakeP99Min == null ? '' : minToHhmm(e.wakeP99Min);
      return {
        zh: `最后活动 ${at}（${r.zh}），至今 ${quietMin} 分钟无活动；平时最晚 ${wake} 起床（${days} 天），已过 ${WAKE_MARGIN_MIN} 分钟余量`,
        en: `last sign of life at ${at} in ${r.en}, nothing for ${quietMin} min; usually up by ${wake} at the latest (${days} days), ${WAKE_MARGIN_MIN} min margin passed`,
      };
    }
    case 'not_back':
      return {
        zh: `${at} 从入户门外出，${quietMin} 分钟未回${usualMin === null ? '' : `；平时此时段外出 ≤ ${usualMin} 分钟（${days} 天 p99）`}`,
        en: `went out through the front door at ${at}, not back after ${quietMin} min${usualMin === null ? '' : `; outings at this hour last ≤ ${usualMin} min (p99 over ${days} days)`}`,
      };
    case 'night_bathroom':
      return {
        zh: `夜间 ${at} 进入卫生间后 ${quietMin} 分钟无活动${usualZh}`,
        en: `no movement for ${quietMin} min after entering the bathroom at night at ${at}${usualEn}`,
      };
    default:
      return {
        zh: `${at} 在${r.zh}有活动后 ${quietMin} 分钟无活动${usualZh}`,
        en: `no movement for ${quietMin} min after ${r.en} at ${at}${usualEn}`,
      };
  }
}

/** The static thresholds' sentence, for homes without enough history (same place in the UI). */
export function explainStatic(p: { quietSince: string | null; thresholdS: number; historyDays: number | null }, now: number, tz: string): { zh: string; en: string } {
  const h = Math.round((p.thresholdS / 3600) * 10) / 10;
  const since = p.quietSince ? hhmm(p.quietSince, tz) : '—';
  const quietMin = p.quietSince ? Math.round((now - Date.parse(p.quietSince)) / 60_000) : null;
  const hist = p.historyDays === null ? '' : `（仅 ${p.historyDays} 天记录，尚未学习作息）`;
  const histEn = p.historyDays === null ? '' : ` (only ${p.historyDays} days of history; routine not learned yet)`;
  return {
    zh: `自 ${since} 起 ${quietMin ?? '—'} 分钟无活动，超过固定阈值 ${h} 小时${hist}`,
    en: `no activity for ${quietMin ?? '—'} min since ${since}, beyond the fixed ${h} h threshold${histEn}`,
  };
}
