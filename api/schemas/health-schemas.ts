import { Type } from '@sinclair/typebox';

export const HealthResponse = Type.Object({ status: Type.Literal('ok') });
export const ReadyResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), Type.Boolean()),
  /** Issue 16: tiers without a working channel (they do not make the service unready). */
  detail: Type.Optional(Type.Object({
    channels: Type.Object({
      ok: Type.Boolean(), checkedAt: Type.Union([Type.String(), Type.Null()]), stale: Type.Boolean(),
      problems: Type.Array(Type.String()),
    }),
  })),
});
