import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { localTimeParts } from '../../domain/shift-clock.js';
import { listAudit } from '../../store/audit-repository.js';
import type pg from 'pg';
import { OVERSIGHT_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import { AuditItem, AuditQuery, SlaReportQuery, SlaReportResponse } from '../schemas/reports-schemas.js';
import { toCsv, type ReportsService } from '../services/reports-service.js';

/**
 * The CSV's file name names the local dates the report covers (GUARDIAN_TZ), first and last day
 * included: `to` is exclusive, so a report "1–7 December" is [1 Dec 00:00, 8 Dec 00:00) and must
 * not be called …-12-08 (nor, in UTC, start on 30 November). Issue 20 item 9.
 */
export function slaCsvFileName(report: { groupBy: string; from: Date; to: Date }, tz: string): string {
  const first = localTimeParts(report.from, tz).date;
  const last = localTimeParts(new Date(Math.max(report.from.getTime(), report.to.getTime() - 1)), tz).date;
  return `sla-${report.groupBy}-${first}-${last}.csv`;
}

export async function reportsRoutes(app: FastifyInstance, { reports, pool, tz }: { reports: ReportsService; pool: pg.Pool; tz: string }) {
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
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${slaCsvFileName(report, tz)}"`)
      .send(toCsv(report));
  });

  app.get<{ Querystring: AuditQuery }>('/audit', {
    config: { roles: ['admin', 'supervisor'] },
    schema: { tags: ['reports'], summary: 'The audit log, newest first: every change and every household-file read', querystring: AuditQuery, response: responses({ 200: Page(AuditItem) }) },
  }, async (request) => listAudit(pool, { ...request.query, scope: request.user!.scope }));
}
