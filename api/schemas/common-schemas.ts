import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * Shared TypeBox building blocks. Fastify validates with its own ajv and serialises responses
 * with fast-json-stringify, so these are used as plain JSON schema; `Static<>` gives the types.
 */

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(), message: Type.String(),
    params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
      description: 'What the message is about, as data (field, rule, limit, a name), for clients that word errors in their own language',
    })),
  }),
}, { description: 'Every error: a stable code, a message for a person (English) and, where useful, its params' });

/** A string limited to a fixed set, with ajv's `enum` (whose error we can list the values of). */
export function StringEnum<const T extends readonly string[]>(values: T, opts: { description?: string; default?: T[number] } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}

/** A nullable value; `type: [x, 'null']` so fast-json-stringify takes Dates for date-time. */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<T['static'] | null> {
  const s = schema as unknown as Record<string, unknown>;
  if (typeof s.type === 'string') return Type.Unsafe<T['static'] | null>({ ...s, type: [s.type, 'null'] });
  return Type.Unsafe<T['static'] | null>({ anyOf: [schema, { type: 'null' }] });
}

/** Timestamps leave as ISO-8601 strings; repositories hand Dates, the serializer converts. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const NullableDateTime = Type.Unsafe<Date | string | null>({ type: ['string', 'null'], format: 'date-time' });

/** Ids we issue as text (households, devices, grids): bounded so no one posts megabytes. */
export const TextId = Type.String({ minLength: 1, maxLength: 128 });

export const Uuid = Type.String({ format: 'uuid' });

/** DESIGN §6: lists take limit (default 100, max 1000) and offset and return { items, total }. */
export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer({ minimum: 0 }) });
}

/**
 * A response schema per status code (fastify/demo style) plus one error shape for every 4xx/5xx,
 * so the OpenAPI document shows what each route can answer.
 */
export function responses<T extends Record<number, TSchema>>(ok: T): T & { '4xx': typeof ErrorResponse; '5xx': typeof ErrorResponse } {
  return { ...ok, '4xx': ErrorResponse, '5xx': ErrorResponse };
}
