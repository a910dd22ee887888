import { ApiError } from './api';
import { i18n, t, type MessageKey } from './i18n/index.svelte';

/**
 * Server errors in the user's language (issue 20 item 5). The API answers a stable `code` and
 * `params` (api/plugins/error-handler-plugin.ts, api/api-error.ts); its English `message` is for
 * scripts and logs and never reaches a Chinese screen. A code this console does not know yet is
 * said generically with the code, so nothing English leaks and support can still look it up.
 */

/** How a screen names one of its fields, and the unit its limits are said in. */
export interface FieldSpec { label: string; unit?: 'duration' }
export type FieldSpecs = Record<string, FieldSpec>;

const FIELD_KEYS: Record<string, MessageKey> = {
  'body.reason': 'field.reason', 'body.text': 'field.text', 'body.note': 'field.note', 'body.outcome': 'field.outcome',
  'body.responderId': 'field.responder', 'body.starts': 'field.starts', 'body.ends': 'field.ends',
  'body.inactivityDayS': 'field.inactivityDay', 'body.inactivityNightS': 'field.inactivityNight',
};
const DURATION_FIELDS = new Set(['body.inactivityDayS', 'body.inactivityNightS']);

/** Seconds as a person says them: "10 分钟", "72 小时", "1 小时 30 分钟". */
export function durationWords(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  const zh = i18n.lang === 'zh';
  const hs = zh ? `${h} 小时` : `${h} h`;
  const ms = zh ? `${m} 分钟` : `${m} min`;
  if (h === 0) return m > 0 ? ms : zh ? `${seconds} 秒` : `${seconds} s`;
  return m === 0 ? hs : `${hs} ${ms}`;
}

const KNOWN: ReadonlySet<string> = new Set([
  'already_accepted', 'not_holder', 'not_involved', 'responder_required', 'not_a_responder', 'read_only', 'forbidden',
  'not_found', 'unknown_responder', 'inactive_responder', 'terminal', 'invalid_transition', 'arrival_required',
  'outcome_required', 'invalid_outcome', 'note_required', 'reason_required', 'text_required', 'stale',
  'shift_24h_unconfirmed', 'weekday_or_date', 'off_duty_needs_date', 'visit_in_future', 'rate_limited', 'network',
  'internal', 'unavailable', 'csrf', 'unauthorized', 'conflict', 'on_site_elsewhere', 'not_dispatchable', 'already_holder',
  'away_until_past', 'away_until_too_far',
]);

function validationText(p: Record<string, unknown>, fields: FieldSpecs): string {
  const field = String(p.field ?? '');
  const spec = fields[field] ?? (FIELD_KEYS[field] ? { label: t(FIELD_KEYS[field]!), unit: DURATION_FIELDS.has(field) ? 'duration' as const : undefined } : undefined);
  const label = spec?.label ?? t('field.generic');
  const limit = typeof p.limit === 'number' ? (spec?.unit === 'duration' ? durationWords(p.limit) : String(p.limit)) : '';
  switch (p.rule) {
    case 'minimum': case 'exclusiveMinimum': return t('err.v.minimum', { field: label, limit });
    case 'maximum': case 'exclusiveMaximum': return t('err.v.maximum', { field: label, limit });
    case 'minLength': return Number(p.limit) <= 1 ? t('err.v.required', { field: label }) : t('err.v.minLength', { field: label, limit });
    case 'maxLength': return t('err.v.maxLength', { field: label, limit });
    case 'required': return t('err.v.required', { field: label });
    case 'enum': return t('err.v.enum', { field: label });
    case 'type': case 'format': case 'pattern': return t('err.v.format', { field: label });
    case 'additionalProperties': return t('err.v.unknownField');
    default: return t('err.v.invalid', { field: label });
  }
}

/** One sentence for the person in front of the screen, in their language. */
export function errorText(err: unknown, fields: FieldSpecs = {}): string {
  if (!(err instanceof ApiError)) return t('err.unknown', { code: err instanceof Error ? err.name : 'error' });
  const p = err.params ?? {};
  if (err.code === 'bad_request' && typeof p.field === 'string') return validationText(p, fields);
  if (err.status === 0) return t('err.network');
  if (KNOWN.has(err.code)) {
    const vars: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(p)) if (typeof v === 'string' || typeof v === 'number') vars[k] = v;
    vars.holder ??= t('err.someone');
    return t(`err.${err.code}` as MessageKey, vars);
  }
  if (err.status === 404) return t('err.not_found');
  if (err.status >= 500) return t('err.internal');
  return t('err.unknown', { code: err.code });
}
