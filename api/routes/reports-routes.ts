import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { listAudit } from '../../store/audit-repository.js';
import type pg from 'pg';
import { OVERSIGHT_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import { AuditItem, AuditQuery, SlaReportQuery, SlaReportResponse } from '../schemas/reports-schemas.js';
import { toCsv, type ReportsService } from '../services/reports-service.js';

export async function reportsRoutes(app: FastifyInstance, { reports, pool }: { reports: ReportsService; pool: pg.Pool }) {
  app.get<{ Querystring: SlaReportQuery }>('/reports/sla', {
    config: { roles: OVERSIGHT_ROLES },
    schema: {
      tags: ['reports'], summary: 'SLA report: time to accept / on site (median, p90), % on site within SLA, breaches, per shift, responder or grid',
      querystring: SlaReportQuery,
      // Per content type (Fastify 5): JSON by default, CSV with format=csv.
      response: responses({ 200: Type.Unsafe({
        description: 'The report',
        content: { 'application/json': { schema: SlaReportResponse }, 'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM, CRLF, header row' } } },
      }) }),
    },
  }, async (request, reply) => {
    const report = await reports.sla(request.user!, request.query);
    if (request.query.format !== 'csv') return reply.send(report);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sla-${report.groupBy}-${day(report.from)}-${day(report.to)}.csv"`)
      .send(toCsv(report));
  });

  app.get<{ Querystring: AuditQuery }>('/audit', {
    config: { roles: ['admin', 'supervisor'] },
    schema: { tags: ['reports'], summary: 'The audit log, newest first: every change and every household-file read', querystring: AuditQuery, response: responses({ 200: Page(AuditItem) }) },
  }, async (request) => listAudit(pool, { ...request.query, scope: request.user!.scope }));
}
