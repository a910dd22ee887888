import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Nullable, PageQuery, StringEnum } from './common-schemas.js';

export const SlaReportQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'First signal at or after (default: 7 days before `to`)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'First signal before (default: now)' })),
  groupBy: StringEnum(['shift', 'responder', 'grid', 'all'] as const, { default: 'shift' }),
  format: StringEnum(['json', 'csv'] as const, { default: 'json' }),
}, { additionalProperties: false });
export type SlaReportQuery = Static<typeof SlaReportQuery>;

const Seconds = Nullable(Type.Number({ description: 'Seconds from the first signal; null when no alert of the group got there' }));

export const SlaReportRowSchema = Type.Object({
  key: Type.String({ description: 'shift: "YYYY-MM-DD day|night"; responder: responder id ("" = not accepted); grid: grid id; all: "all"' }),
  label: Type.String(),
  alerts: Type.Integer(), accepted: Type.Integer(), onSite: Type.Integer(), cancelled: Type.Integer(),
  pending: Type.Integer({ description: 'Nobody on site yet and the SLA deadline still ahead: neither success nor miss yet' }),
  decided: Type.Integer({ description: 'alerts - cancelled - pending: what the on-site share is of' }),
  acceptedWithin60s: Type.Integer(), acceptedWithin180s: Type.Integer(),
  acceptedWithin60sPct: Nullable(Type.Number({ description: '% accepted within 60 s, of the not-cancelled alerts whose 60 s have passed' })),
  acceptedWithin180sPct: Nullable(Type.Number({ description: '% accepted within 180 s, of the not-cancelled alerts whose 180 s have passed' })),
  acceptMedianS: Seconds, acceptP90S: Seconds, onSiteMedianS: Seconds, onSiteP90S: Seconds,
  onSiteWithinSla: Type.Integer(),
  onSiteWithinSlaPct: Nullable(Type.Number({ description: '% of the decided alerts with someone on site within SLA_ONSITE_S' })),
  ackBreaches: Type.Integer(),
  onSiteBreaches: Type.Integer({ description: 'Decided alerts without anyone on site within SLA_ONSITE_S' }),
  nobodyOnDuty: Type.Integer({ description: 'Alerts whose tier had nobody on duty when paged' }),
  passiveAlerts: Type.Integer({ description: 'Inactivity alerts (detected, not pressed)' }),
  detectionDelayMedianS: Nullable(Type.Number({ description: 'Inactivity alerts: seconds from the last sign of life to the alert' })),
  detectionDelayP90S: Nullable(Type.Number()),
});

export const SlaReportResponse = Type.Object({
  from: DateTime, to: DateTime, groupBy: Type.String(), slaOnsiteS: Type.Number(),
  now: DateTime,
  items: Type.Array(SlaReportRowSchema), total: Type.Integer(),
}, { description: 'Critical and high alerts only; maintenance alerts have no SLA. With format=csv: text/csv (UTF-8 with BOM)' });

export const AuditQuery = Type.Object({
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'An alert, household, device, responder id…' })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'e.g. alert.accept, household.read' })),
  ...PageQuery,
}, { additionalProperties: false });
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditItem = Type.Object({
  id: Type.Integer(), at: DateTime, username: Nullable(Type.String()), role: Nullable(Type.String()),
  action: Type.String(), target: Nullable(Type.String()), ip: Nullable(Type.String()), data: Type.Unknown(),
});
