import { Type } from '@sinclair/typebox';
import { Nullable } from './common-schemas.js';

/** Disk use per table and what retention keeps and last deleted (issue 21; admin only). */
export const StorageResponse = Type.Object({
  tables: Type.Array(Type.Object({
    table: Type.String(),
    bytes: Type.Integer({ description: 'heap, indexes and TOAST (a hypertable with its chunks)' }),
    rowsEstimate: Type.Integer({ description: 'PostgreSQL\'s estimate, not a count' }),
    retentionDays: Nullable(Type.Integer({ description: 'days kept; 0 = for ever; null = not subject to retention' })),
    variable: Nullable(Type.String({ description: 'the environment variable that sets retentionDays' })),
  })),
  lastRun: Nullable(Type.Object({
    at: Type.String({ format: 'date-time' }),
    ms: Type.Integer(),
    tables: Type.Array(Type.Object({ table: Type.String(), cutoff: Type.String(), deleted: Type.Integer(), done: Type.Boolean() })),
    skipped: Type.Array(Type.Object({ table: Type.String(), why: Type.String() })),
  }, { description: 'the last retention pass (null before the first)' })),
  totalBytes: Type.Integer(),
});
