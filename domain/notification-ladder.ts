import type { Severity } from './alert-kinds.js';
import type { ResponderRole } from './roster.js';
import { inWindow, localTimeParts, parseShift } from './shift-clock.js';

/**
 * The ladder of one person (issue 16, DESIGN §5 "Each person has a ladder"): the app first
 * (in-app live feed and Web Push), then an SMS after `smsAfterS` seconds without an accept, then
 * a voice call after `voiceAfterS`. Pure: the dispatcher arms one delayed job per later step and
 * its handler re-reads the alert, so an accepted alert never rings a phone.
 *
 * - Role defaults (DEFAULT_LADDERS, overridable per role in settings), then per-person overrides.
 * - Someone without the app (family, community number, a responder with no account) starts at
 *   their first phone step at once: waiting for an app they do not have helps nobody.
 * - Quiet hours (per person) hold back SMS and calls for non-critical alerts; they never apply
 *   to critical alerts (SOS, falls, smoke, gas). If quiet hours would leave someone with no
 *   channel at all, they still get the SMS: silence must never be the result of a preference.
 */
export const LADDER_GROUPS = ['app', 'sms', 'voice'] as const;
export type LadderGroup = (typeof LADDER_GROUPS)[number];

export type LadderRole = ResponderRole | 'family_contact' | 'community_contact';
export const LADDER_ROLES: readonly LadderRole[] = [
  'grid_worker', 'org_specialist', 'building_leader', 'neighbour_buddy', 'property_duty', 'supervisor', 'operator', 'admin',
  'family_contact', 'community_contact',
];

export interface LadderSpec {
  /** Seconds after the page with no accept before an SMS; null = never by SMS. */
  smsAfterS: number | null;
  /** Seconds after the page with no accept before a voice call; null = never called. */
  voiceAfterS: number | null;
  /** Local 'HH:MM-HH:MM' during which non-critical alerts do not text or call; null = none. */
  quietHours: string | null;
}

export const DEFAULT_LADDERS: Readonly<Record<LadderRole, LadderSpec>> = {
  grid_worker: { smsAfterS: 60, voiceAfterS: 120, quietHours: null },
  org_specialist: { smsAfterS: 60, voiceAfterS: 120, quietHours: null },
  property_duty: { smsAfterS: 60, voiceAfterS: 120, quietHours: null },
  supervisor: { smsAfterS: 60, voiceAfterS: 180, quietHours: null },
  building_leader: { smsAfterS: 120, voiceAfterS: null, quietHours: '22:00-07:00' },
  neighbour_buddy: { smsAfterS: 120, voiceAfterS: null, quietHours: '22:00-07:00' },
  operator: { smsAfterS: null, voiceAfterS: null, quietHours: null },
  admin: { smsAfterS: null, voiceAfterS: null, quietHours: null },
  family_contact: { smsAfterS: 0, voiceAfterS: 90, quietHours: null },
  community_contact: { smsAfterS: 0, voiceAfterS: 60, quietHours: null },
};

export interface LadderStep {
  /** 0, 1, 2… in time order; part of the timer's job id. */
  step: number;
  group: LadderGroup;
  afterS: number;
}

export interface LadderInput {
  role: LadderRole;
  /** The person uses the app (a linked account): the phone steps wait their turn behind it. */
  hasApp: boolean;
  /**
   * The app step is listed even without an account (default: hasApp). Responders always get the
   * in-app record (the dispatch room sees it on the alert), but without an account it cannot
   * be what they wait on, so their phone steps start at once.
   */
  appListed?: boolean;
  severity: Severity;
  at: Date;
  tz: string;
  roleDefaults?: Partial<Record<LadderRole, Partial<LadderSpec>>> | null;
  override?: Partial<LadderSpec> | null;
}

/** The effective spec: built-in default ← role default from settings ← the person's override. */
export function ladderSpecOf(role: LadderRole, roleDefaults?: LadderInput['roleDefaults'], override?: LadderInput['override']): LadderSpec {
  return { ...DEFAULT_LADDERS[role], ...definedOnly(roleDefaults?.[role]), ...definedOnly(override) };
}

export function ladderSteps(input: LadderInput): LadderStep[] {
  const spec = ladderSpecOf(input.role, input.roleDefaults, input.override);
  let phone: Array<{ group: LadderGroup; afterS: number }> = [];
  if (spec.smsAfterS !== null) phone.push({ group: 'sms', afterS: spec.smsAfterS });
  if (spec.voiceAfterS !== null) phone.push({ group: 'voice', afterS: spec.voiceAfterS });
  phone.sort((a, b) => a.afterS - b.afterS);

  const quiet = input.severity !== 'critical' && inQuietHours(spec.quietHours, input.at, input.tz);
  if (quiet) {
    const keepSms = !input.hasApp ? phone.filter((s) => s.group === 'sms') : [];
    phone = keepSms;
  }
  const steps: Array<{ group: LadderGroup; afterS: number }> = [];
  if (input.hasApp || input.appListed) steps.push({ group: 'app', afterS: 0 });
  if (!input.hasApp && phone.length > 0) {
    // No app: the first phone step is the first step, and the rest keep their spacing.
    const shift = phone[0]!.afterS;
    phone = phone.map((s) => ({ group: s.group, afterS: s.afterS - shift }));
  }
  steps.push(...phone);
  return steps.map((s, i) => ({ step: i, group: s.group, afterS: Math.max(0, s.afterS) }));
}

export function inQuietHours(window: string | null, at: Date, tz: string): boolean {
  if (!window) return false;
  const w = parseShift(window);
  return inWindow(localTimeParts(at, tz).seconds, w);
}

export type LadderProblem = string;

/** Checks a spec from the API or the CLI; returns what is wrong, in words an admin can act on. */
export function ladderSpecProblems(spec: Partial<LadderSpec>): LadderProblem[] {
  const problems: LadderProblem[] = [];
  for (const k of ['smsAfterS', 'voiceAfterS'] as const) {
    const v = spec[k];
    if (v !== undefined && v !== null && (!Number.isFinite(v) || v < 0 || v > 86_400)) problems.push(`${k}: seconds from 0 to 86400, or null for never`);
  }
  if (spec.smsAfterS != null && spec.voiceAfterS != null && spec.voiceAfterS < spec.smsAfterS) {
    problems.push('voiceAfterS must not come before smsAfterS: a call is the louder, later step');
  }
  if (spec.quietHours !== undefined && spec.quietHours !== null) {
    try { parseShift(spec.quietHours); } catch { problems.push('quietHours: HH:MM-HH:MM, e.g. 22:00-07:00, or null'); }
  }
  return problems;
}

function definedOnly<T extends object>(o: T | null | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
