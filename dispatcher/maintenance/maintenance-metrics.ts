import client from 'prom-client';

/** Retention metrics in prom-client's default registry, served at /metrics (created once per process). */
function metric<T>(name: string, make: () => T): T {
  return (client.register.getSingleMetric(name) as T | undefined) ?? make();
}

export const retentionDeleted = metric('guardian_retention_deleted_rows_total', () => new client.Counter({
  name: 'guardian_retention_deleted_rows_total', help: 'Rows deleted by retention (and expired dedupe keys), by table',
  labelNames: ['table'] as const }));

export const retentionPassSeconds = metric('guardian_retention_pass_seconds', () => new client.Histogram({
  name: 'guardian_retention_pass_seconds', help: 'One retention pass over every table',
  buckets: [0.05, 0.25, 1, 5, 15, 60, 240] }));
