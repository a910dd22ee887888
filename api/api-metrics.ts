import client from 'prom-client';

/**
 * API metrics in prom-client's default registry, next to the gateway's (DESIGN §6). Created once
 * per process and reused, because prom-client refuses a second metric with the same name.
 */
function metric<T>(name: string, make: () => T): T {
  return (client.register.getSingleMetric(name) as T | undefined) ?? make();
}

export const httpDuration = metric('guardian_http_request_duration_seconds', () => new client.Histogram({
  name: 'guardian_http_request_duration_seconds', help: 'HTTP request duration by route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] }));

export const logins = metric('guardian_logins_total', () => new client.Counter({
  name: 'guardian_logins_total', help: 'Console login attempts by result', labelNames: ['result'] as const }));

/** Set from the database at each scrape (see health-routes), not kept up to date in memory. */
export const alertsByState = metric('guardian_alerts', () => new client.Gauge({
  name: 'guardian_alerts', help: 'Live alerts by state, read from the database at scrape time', labelNames: ['state'] as const }));

export const metricsRegistry = client.register;
