import type { Config } from './config.js';
import { nextShiftBoundary, shiftOf, type Shift } from './shift-clock.js';

/**
 * The timing the screens count with (issue 20 item 1): the SLA and ack settings in force and the
 * shift of this instant, as the service decides them. The console computes nothing from
 * constants: the live snapshot and `GET /settings` carry this, so a service run with
 * `SLA_ONSITE_S=240` turns every countdown red at 4 minutes, as the dispatcher does.
 * (Per-community settings will slot in here once communities have their own.) Pure.
 */
export interface DispatchTiming {
  ackTimeoutS: number;
  slaWarnS: number;
  slaOnsiteS: number;
  dayShift: string;
  tz: string;
  /** The shift at `now`: day or night, the local date it started on, and when it ends. */
  shift: { name: Shift; date: string; endsAt: string };
}

export type TimingConfig = Pick<Config, 'ACK_TIMEOUT_S' | 'SLA_WARN_S' | 'SLA_ONSITE_S' | 'DAY_SHIFT' | 'GUARDIAN_TZ'>;

export function dispatchTiming(config: TimingConfig, now: Date): DispatchTiming {
  const at = shiftOf(now, config.GUARDIAN_TZ, config.DAY_SHIFT);
  return {
    ackTimeoutS: config.ACK_TIMEOUT_S,
    slaWarnS: config.SLA_WARN_S,
    slaOnsiteS: config.SLA_ONSITE_S,
    dayShift: config.DAY_SHIFT,
    tz: config.GUARDIAN_TZ,
    shift: { name: at.shift, date: at.date, endsAt: nextShiftBoundary(now, config.GUARDIAN_TZ, config.DAY_SHIFT).toISOString() },
  };
}
