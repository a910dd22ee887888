import { Type, type Static } from '@sinclair/typebox';
import { SENSITIVITIES } from '../../domain/room-aware-silence.js';
import { DateTime, Nullable, NullableDateTime, StringEnum } from './common-schemas.js';

/** The passive rules of one home (issue 19): what was learned, and what the care team set. */
export const PassiveTuningBody = Type.Object({
  sensitivity: StringEnum(SENSITIVITIES, { description: 'high: check in sooner; low: later (p99 × 1.0 + 2 min / × 1.1 + 5 min / × 1.5 + 15 min)' }),
  awayUntil: Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', description: 'Away mode (in hospital, with family) until this instant: no inactivity check-ins; null ends it' }),
  awayNote: Nullable(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });
export type PassiveTuningBody = Static<typeof PassiveTuningBody>;

export const PassiveProfileResponse = Type.Object({
  policy: StringEnum(['learned', 'static'] as const),
  tuning: Type.Object({
    sensitivity: StringEnum(SENSITIVITIES), awayUntil: NullableDateTime, awayNote: Nullable(Type.String()),
    updatedBy: Nullable(Type.String()), updatedAt: NullableDateTime,
  }),
  rhythm: Nullable(Type.Object({
    historyDays: Type.Integer(), enoughHistory: Type.Boolean(), minHistoryDays: Type.Integer(),
    wakeMedianMin: Nullable(Type.Integer()), wakeP99Min: Nullable(Type.Integer()), bedMedianMin: Nullable(Type.Integer()),
    computedAt: DateTime,
  })),
  /** Per room: the longest usual silence after a sign of life there by day (07:00-21:00) and by night, p99 over 28 days. */
  rooms: Type.Array(Type.Object({ room: Type.String(), inBed: Type.Boolean(), dayP99S: Nullable(Type.Integer()), nightP99S: Nullable(Type.Integer()), samples: Type.Integer() })),
  /** The latest inactivity/wandering alerts of the home, each with the sentence it was opened with. */
  explanations: Type.Array(Type.Object({ alertId: Type.String(), kind: Type.String(), at: DateTime, zh: Type.String(), en: Type.String() })),
});
