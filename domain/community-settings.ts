/**
 * Per-community settings (issue 17 item 3): a sub-district's communities differ in when the day
 * shift starts, how fast they promise to be at the door and which 24-hour number answers. Each
 * setting is the community's own value, or the global config default when the community has
 * none. Pure: the dispatcher and the console read the resolved values.
 */
export interface CommunitySettingsOverrides {
  dayShift: string | null;
  slaWarnS: number | null;
  slaOnsiteS: number | null;
  ackTimeoutS: number | null;
  /** The community's 24-hour number (communities.emergency_phone); no global default. */
  emergencyPhone: string | null;
}

export interface GlobalSettingsDefaults {
  DAY_SHIFT: string;
  SLA_WARN_S: number;
  SLA_ONSITE_S: number;
  ACK_TIMEOUT_S: number;
}

export type SettingSource = 'community' | 'global';

export interface EffectiveCommunitySettings {
  dayShift: string;
  slaWarnS: number;
  slaOnsiteS: number;
  ackTimeoutS: number;
  emergencyPhone: string | null;
  /** Where each value came from, so a screen can say "global default". */
  source: { dayShift: SettingSource; slaWarnS: SettingSource; slaOnsiteS: SettingSource; ackTimeoutS: SettingSource };
}

const pick = <T>(own: T | null | undefined, global: T): [T, SettingSource] => (own === null || own === undefined ? [global, 'global'] : [own, 'community']);

/** The community's setting, or the global config default. */
export function resolveCommunitySettings(own: Partial<CommunitySettingsOverrides> | null | undefined, defaults: GlobalSettingsDefaults): EffectiveCommunitySettings {
  const [dayShift, s1] = pick(own?.dayShift, defaults.DAY_SHIFT);
  const [slaWarnS, s2] = pick(own?.slaWarnS, defaults.SLA_WARN_S);
  const [slaOnsiteS, s3] = pick(own?.slaOnsiteS, defaults.SLA_ONSITE_S);
  const [ackTimeoutS, s4] = pick(own?.ackTimeoutS, defaults.ACK_TIMEOUT_S);
  return {
    dayShift, slaWarnS, slaOnsiteS, ackTimeoutS, emergencyPhone: own?.emergencyPhone ?? null,
    source: { dayShift: s1, slaWarnS: s2, slaOnsiteS: s3, ackTimeoutS: s4 },
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** 'HH:MM-HH:MM' with two different times (a day shift may cross midnight). */
export function isDayShift(v: string): boolean {
  const [a, b, ...rest] = v.split('-');
  return rest.length === 0 && !!a && !!b && HHMM.test(a) && HHMM.test(b) && a !== b;
}

/**
 * Why a community's settings would not work once resolved (null when they do): the SLA warning
 * must come before the on-site deadline, whichever of the two is the community's own.
 */
export function settingsProblem(s: EffectiveCommunitySettings): string | null {
  if (!isDayShift(s.dayShift)) return 'dayShift must be HH:MM-HH:MM with two different times';
  if (s.slaWarnS >= s.slaOnsiteS) return `slaWarnS (${s.slaWarnS}) must be below slaOnsiteS (${s.slaOnsiteS})`;
  return null;
}
