import { localTimeParts } from './shift-clock.js';

/**
 * Staged check-ins (issue 19 item 4): a chime on the home's devices, then a spoken check-in
 * (louder, voice), then a call to the resident's phone (skipped, and said so, when there is no
 * phone on file or no voice channel), then the alert. Each stage has its grace; at night (00:00-06:00 local) it is
 * longer — a sleeping person needs minutes to wake and find the button; by day a silence that
 * already broke the home's own pattern should not wait long.
 */
export interface CheckInPlan { stages: number; graceS: readonly number[] }

// The call's grace covers ringing (a provider rings for about a minute) and the receipt's way back.
export const DAY_GRACE_S = [60, 90, 120] as const;
export const NIGHT_GRACE_S = [300, 300, 300] as const;

export function checkInPlan(now: Date, tz: string): CheckInPlan {
  const minute = localTimeParts(now, tz).minutes;
  const grace = minute < 6 * 60 ? NIGHT_GRACE_S : DAY_GRACE_S;
  return { stages: grace.length, graceS: grace };
}

export const CHECK_IN_STAGE_NAMES = ['chime', 'voice', 'call'] as const;
export type CheckInStageName = (typeof CHECK_IN_STAGE_NAMES)[number];
