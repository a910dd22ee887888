import { localTimeParts } from './shift-clock.js';

/**
 * Staged check-ins (issue 19 item 4): a chime on the home's devices, then a spoken check-in
 * (louder, voice), then the alert. Each stage has its grace; at night (00:00-06:00 local) it is
 * longer — a sleeping person needs minutes to wake and find the button; by day a silence that
 * already broke the home's own pattern should not wait long.
 */
export interface CheckInPlan { stages: number; graceS: readonly number[] }

export const DAY_GRACE_S = [60, 90] as const;
export const NIGHT_GRACE_S = [300, 300] as const;

export function checkInPlan(now: Date, tz: string): CheckInPlan {
  const minute = localTimeParts(now, tz).minutes;
  const grace = minute < 6 * 60 ? NIGHT_GRACE_S : DAY_GRACE_S;
  return { stages: grace.length, graceS: grace };
}

export const CHECK_IN_STAGE_NAMES = ['chime', 'voice'] as const;
