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

/**
 * The two numbers of the 15-minute promise (DESIGN §4, issue 4 item 10), observed when a
 * responder action records them: seconds from the alert's first signal (the SLA clock's start)
 * to acceptance, and to someone on site. By severity; maintenance alerts have no SLA and are
 * not observed.
 */
const SLA_BUCKETS = [15, 30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 3600];

export const timeToAccept = metric('guardian_time_to_accept_seconds', () => new client.Histogram({
  name: 'guardian_time_to_accept_seconds', help: 'First signal to acceptance of critical/high alerts',
  labelNames: ['severity'] as const, buckets: SLA_BUCKETS }));

export const timeToOnSite = metric('guardian_time_to_on_site_seconds', () => new client.Histogram({
  name: 'guardian_time_to_on_site_seconds', help: 'First signal to someone on site, critical/high alerts',
  labelNames: ['severity'] as const, buckets: SLA_BUCKETS }));

/** Live feed sockets open on this API instance, and those closed for reading too slowly. */
export const liveSockets = metric('guardian_live_sockets', () => new client.Gauge({
  name: 'guardian_live_sockets', help: 'Open /api/v1/live WebSockets on this instance' }));

export const liveSlowConsumers = metric('guardian_live_slow_consumers_total', () => new client.Counter({
  name: 'guardian_live_slow_consumers_total', help: 'Live sockets closed because their send buffer was full' }));

/** Live events the hub had to read from the table: a lost publish or a Redis outage. */
export const liveGapFills = metric('guardian_live_gap_fills_total', () => new client.Counter({
  name: 'guardian_live_gap_fills_total', help: 'Live events delivered from the live_events table rather than Redis' }));

/** Disk use per table (issue 21), read from the catalog at each scrape like alertsByState. */
export const tableBytes = metric('guardian_table_bytes', () => new client.Gauge({
  name: 'guardian_table_bytes', help: 'Disk used by each table of the schema: heap, indexes and TOAST (a hypertable with its chunks)',
  labelNames: ['table'] as const }));

export const tableRows = metric('guardian_table_rows_estimate', () => new client.Gauge({
  name: 'guardian_table_rows_estimate', help: 'PostgreSQL\'s row estimate of each table (pg_class.reltuples, or approximate_row_count for a hypertable)',
  labelNames: ['table'] as const }));

export const metricsRegistry = client.register;
