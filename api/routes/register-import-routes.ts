import type { FastifyInstance, FastifyReply } from 'fastify';
import { DISPATCH_ROLES } from '../route-access.js';
import { badRequest } from '../api-error.js';
import { Page, responses } from '../schemas/common-schemas.js';
import { ExportQuery, FormatQuery, ImportJob, ImportParams, ImportsQuery, UploadQuery } from '../schemas/register-import-schemas.js';
import type { RegisterImportService } from '../services/register-import-service.js';

const MIME = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8' } as const;
/** A 5,000-household register is ~1 MB as XLSX; a whole district's stays well below this. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

function sendFile(reply: FastifyReply, bytes: Buffer, format: 'xlsx' | 'csv', name: string) {
  return reply.header('content-type', MIME[format])
    .header('content-disposition', `attachment; filename="register.${format}"; filename*=UTF-8''${encodeURIComponent(`${name}.${format}`)}`)
    .header('cache-control', 'no-store')
    .send(bytes);
}

/**
 * Register import and export (issue 17 item 2). Upload the file as the request body (any
 * content type but JSON); the dry run runs as a job the console polls; apply is a second call.
 */
export async function registerImportRoutes(app: FastifyInstance, { imports }: { imports: RegisterImportService }) {
  await app.register(async (files) => {
    // Encapsulated: only these routes take raw bytes, and up to MAX_FILE_BYTES.
    files.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body));

    files.get<{ Querystring: FormatQuery }>('/register/template', {
      config: { roles: DISPATCH_ROLES },
      schema: { tags: ['register'], summary: 'The import template (Chinese headers, an example household, instructions)', querystring: FormatQuery },
    }, async (request, reply) => {
      const format = request.query.format ?? 'xlsx';
      return sendFile(reply, await imports.template(format), format, '社区老人台账模板');
    });

    files.get<{ Querystring: ExportQuery }>('/register/export', {
      config: { roles: DISPATCH_ROLES },
      schema: { tags: ['register'], summary: 'The register of your communities in the import\'s shape (export → import round-trips); audited', querystring: ExportQuery },
    }, async (request, reply) => {
      const format = request.query.format ?? 'xlsx';
      const { bytes } = await imports.export({ ...request.user!, ip: request.ip }, format, request.query.communityId);
      return sendFile(reply, bytes, format, '社区老人台账');
    });

    files.post<{ Querystring: UploadQuery; Body: Buffer }>('/register/imports', {
      config: { roles: DISPATCH_ROLES },
      schema: {
        tags: ['register'], summary: 'Upload an XLSX or CSV register: starts the dry run (nothing is written); poll GET /register/imports/:id',
        querystring: UploadQuery, response: responses({ 202: ImportJob }),
      },
    }, async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw badRequest('send the XLSX or CSV file as the request body (Content-Type: application/octet-stream)', 'file_required');
      const job = await imports.startCheck({ ...request.user!, ip: request.ip }, body, request.query.fileName ?? 'register');
      return reply.status(202).send(job);
    });

    files.get<{ Querystring: ImportsQuery }>('/register/imports', {
      config: { roles: DISPATCH_ROLES },
      schema: { tags: ['register'], summary: 'Your imports, newest first', querystring: ImportsQuery, response: responses({ 200: Page(ImportJob) }) },
    }, async (request) => imports.jobs(request.user!, request.query.limit, request.query.offset));

    files.get<{ Params: ImportParams }>('/register/imports/:id', {
      config: { roles: DISPATCH_ROLES },
      schema: { tags: ['register'], summary: 'An import: state, progress (phase, done of total) and its report', params: ImportParams, response: responses({ 200: ImportJob }) },
    }, async (request) => {
      const { content: _content, ...job } = await imports.job(request.user!, request.params.id);
      return job;
    });

    files.post<{ Params: ImportParams }>('/register/imports/:id/apply', {
      config: { roles: DISPATCH_ROLES },
      schema: {
        tags: ['register'], summary: 'Apply a checked import: all rows in one transaction, or none (409 import_has_issues / import_not_ready)',
        params: ImportParams, response: responses({ 202: ImportJob }),
      },
    }, async (request, reply) => {
      return reply.status(202).send(await imports.startApply({ ...request.user!, ip: request.ip }, request.params.id));
    });
  });
}
