import { Type, type Static } from '@sinclair/typebox';
import { DateTime, PageQuery, StringEnum, TextId, Uuid } from './common-schemas.js';

export const FormatQuery = Type.Object({ format: Type.Optional(StringEnum(['xlsx', 'csv'] as const, { default: 'xlsx' })) });
export type FormatQuery = Static<typeof FormatQuery>;
export const ExportQuery = Type.Object({ format: Type.Optional(StringEnum(['xlsx', 'csv'] as const, { default: 'xlsx' })), communityId: Type.Optional(TextId) });
export type ExportQuery = Static<typeof ExportQuery>;
export const UploadQuery = Type.Object({ fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
export type UploadQuery = Static<typeof UploadQuery>;
export const ImportParams = Type.Object({ id: Uuid });
export type ImportParams = Static<typeof ImportParams>;
export const ImportsQuery = Type.Object({ ...PageQuery });
export type ImportsQuery = Static<typeof ImportsQuery>;

export const ImportJob = Type.Object({
  id: Type.String(), createdBy: Type.String(), createdAt: DateTime, fileName: Type.String(), format: Type.String(),
  state: StringEnum(['checking', 'checked', 'applying', 'applied', 'failed'] as const),
  phase: Type.String({ description: 'reading | checking | planning | writing | done | error' }),
  done: Type.Integer(), total: Type.Integer(), updatedAt: DateTime,
  report: Type.Unknown({ description: 'The dry-run (or apply) report: rows, households, issueCount, issues [{row, column, code, value}], counts of what changes; null while checking' }),
});
