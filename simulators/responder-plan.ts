import type { AlertKind, Outcome } from '../domain/alert-kinds.js';
import { between, chance, hashSeed, seededRng, type Rng } from '../domain/seeded-random.js';

/**
 * What a simulated responder does with an alert and when (issue 4 item 9): pure, seeded by the
 * alert id so every simulated responder agrees on which alerts are the slow ones and how each
 * ends, while each person's own reaction time differs a little.
 *
 * Times are simulated seconds (divided by `speed` into real milliseconds by the caller):
 * - prompt: accept 10-90 s after the page; at the door 2-12 min after accepting — inside the
 *   15-minute SLA (DESIGN §4);
 * - late (a `lateRate` share of alerts): accept after 3.5-7 min, past the default
 *   ACK_TIMEOUT_S (180 s), so the alert escalates; at the door 16-25 min after the first
 *   signal, past SLA_ONSITE_S (900 s), so the breach shows on the screen and in the reports;
 * - on site 3-15 min before resolving with an outcome that fits the kind: mostly assisted, a
 *   false alarm for a single SOS press (the "pressed by mistake" call), hospital rarely.
 */
export interface PlannedAlert {
  id: string;
  kind: AlertKind;
  signalCount: number;
}

export interface ResponsePlan {
  late: boolean;
  /** Simulated seconds from seeing the page to accepting. */
  acceptAfterS: number;
  /** Simulated seconds from accepting to arriving. */
  arriveAfterS: number;
  /** Simulated seconds from arriving to resolving. */
  resolveAfterS: number;
  outcome: Outcome;
  note: string;
}

export interface PlanOptions {
  /** Share of alerts handled late (0-1). */
  lateRate: number;
  /** Varies the whole run; the same seed replays the same decisions. */
  seed?: number;
  /** Who is deciding: their reaction time differs from a colleague's. */
  responderId?: string;
}

type Weighted = ReadonlyArray<readonly [Outcome, number, string]>;

const MAINTENANCE: Weighted = [['other', 1, '已检修设备，恢复正常 (device checked and back in service)']];
const OUTCOMES: Record<AlertKind, Weighted> = {
  sos: [['assisted', 0.85, '老人需要帮助，已协助处理 (helped the resident)'], ['hospital', 0.1, '已送医 (taken to hospital)'], ['false_alarm', 0.05, '误报 (false alarm)']],
  fall: [['assisted', 0.75, '老人跌倒，已扶起并检查 (helped up and checked)'], ['hospital', 0.15, '疑似骨折，已送医 (suspected fracture, to hospital)'], ['false_alarm', 0.1, '雷达误报，老人安好 (radar false alarm)']],
  smoke: [['false_alarm', 0.35, '做饭油烟，已通风 (cooking smoke, ventilated)'], ['assisted', 0.65, '已处理烟源 (smoke source dealt with)']],
  gas: [['assisted', 0.7, '已关闭燃气阀门并通风 (gas valve closed, ventilated)'], ['false_alarm', 0.3, '检测器误报 (detector false alarm)']],
  water_leak: [['assisted', 0.9, '已关闭水阀 (water shut off)'], ['other', 0.1, '已联系物业维修 (property maintenance called)']],
  inactivity: [['assisted', 0.8, '老人在家休息，已确认平安 (resident resting, safe)'], ['other', 0.15, '老人外出，已电话联系 (resident out, reached by phone)'], ['hospital', 0.05, '老人身体不适，已送医 (unwell, to hospital)']],
  household_unmonitored: [['other', 1, '家中断电，已恢复供电 (power was off, restored)']],
  device_offline: MAINTENANCE,
  battery_low: [['other', 1, '已更换电池 (battery replaced)']],
  wandering: [['assisted', 0.8, '已找到老人并送回家 (found and brought home)'], ['other', 0.2, '老人已自行回家 (came home by themselves)']],
};
/** A single SOS press that nobody followed up is usually a mis-press (看得见按钮也会误按). */
const SINGLE_PRESS_SOS: Weighted = [['false_alarm', 0.4, '老人误按，已确认平安 (pressed by mistake, resident safe)'], ['assisted', 0.55, '已协助处理 (helped the resident)'], ['hospital', 0.05, '已送医 (taken to hospital)']];

function weighted(rng: Rng, options: Weighted): { outcome: Outcome; note: string } {
  const total = options.reduce((s, o) => s + o[1], 0);
  let x = rng() * total;
  for (const [outcome, w, note] of options) {
    if ((x -= w) < 0) return { outcome, note };
  }
  const last = options[options.length - 1]!;
  return { outcome: last[0], note: last[2] };
}

export function planResponse(alert: PlannedAlert, opts: PlanOptions): ResponsePlan {
  const seed = opts.seed ?? 0;
  const shared = seededRng(hashSeed(`${seed}:${alert.id}`));
  const own = seededRng(hashSeed(`${seed}:${alert.id}:${opts.responderId ?? ''}`));
  const late = chance(shared, Math.max(0, Math.min(1, opts.lateRate)));
  const acceptAfterS = late ? between(own, 210, 420) : between(own, 10, 90);
  // Late: at the door 16-25 min after the first signal, whatever the accept took.
  const arriveAfterS = late ? Math.max(60, between(shared, 960, 1500) - acceptAfterS) : between(shared, 120, 720);
  const resolveAfterS = between(shared, 180, 900);
  const table = alert.kind === 'sos' && alert.signalCount <= 1 ? SINGLE_PRESS_SOS : OUTCOMES[alert.kind];
  return { late, acceptAfterS, arriveAfterS, resolveAfterS, ...weighted(shared, table) };
}
