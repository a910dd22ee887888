import { z } from 'zod';

/**
 * Every setting of DESIGN §1, validated once at start. Pure: takes an env object, returns a
 * typed config or throws ConfigError naming the one variable that is wrong.
 */
const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce.number().positive();
const days = z.coerce.number().int('whole days').min(0, '0 (keep for ever) or more days');
const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;

export const configSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// URL').optional(),
  MQTT_PORT: port.default(1883),
  MQTT_TLS_PORT: port.optional(),
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  HTTP_PORT: port.default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  GUARDIAN_TZ: z.string().default('Asia/Shanghai').refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai'),
  DAY_SHIFT: z.string().default('08:00-20:00').refine(
    (v) => { const [a, b] = v.split('-'); return !!a && !!b && hhmm.test(a) && hhmm.test(b) && a !== b; },
    'HH:MM-HH:MM, e.g. 08:00-20:00'),
  ACK_TIMEOUT_S: seconds.default(180),
  SLA_WARN_S: seconds.default(600),
  SLA_ONSITE_S: seconds.default(900),
  RECONCILE_S: seconds.default(30),
  ARRIVE_REMIND_S: seconds.default(300),
  CHECKIN_GRACE_S: seconds.default(300),
  // Dispatch (issue 15): 'nearest' pages the best DISPATCH_FIRST_WAVE free tier-1 people by
  // estimated arrival, the rest DISPATCH_WAVE_S later, and sends a backup when the holder is not
  // at the door by expected arrival + BACKUP_MARGIN_S or BACKUP_AFTER_S after the first signal;
  // 'page_all' pages the whole tier at once (the behaviour before issue 15). The next wave after
  // 30 s, not 60: measured with simulate day (seed 7, 6 night hours at 8 incidents/h), 30 s gave
  // 84.8 % accepted ≤ 60 s and on-site p90 525 s against 71.7 % and 664 s with 60 s — a wave
  // sent at 60 s can never count towards "accepted ≤ 60 s".
  DISPATCH_POLICY: z.enum(['nearest', 'page_all']).default('nearest'),
  DISPATCH_FIRST_WAVE: z.coerce.number().int().min(1).default(2),
  DISPATCH_WAVE_S: seconds.default(30),
  // At night everyone but the property duty at the gate is on call from home: this long to wake,
  // dress and leave is added to their estimated arrival (ranking and the backup timer).
  DISPATCH_NIGHT_READY_S: z.coerce.number().min(0).default(180),
  BACKUP_AFTER_S: seconds.default(480),
  BACKUP_MARGIN_S: z.coerce.number().min(0).default(180),
  // learned: each home's own rhythm (room-aware silence, not up by the usual time, wandering)
  // on top of the static thresholds; static: the per-household 6 h / 12 h thresholds only.
  PASSIVE_POLICY: z.enum(['learned', 'static']).default('learned'),
  // A responder keeps the home of an alert they were paged for or held this long after it closed.
  ALERT_ACCESS_GRACE_S: z.coerce.number().min(0).default(7200),
  ROLE: z.enum(['all', 'gateway', 'dispatcher', 'api']).default('all'),
  // One deployment's namespace in a shared Redis: BullMQ key prefix and pub/sub channel names.
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)').optional(),
  INSTANCE_ID: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GUARDIAN_ADMIN_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
  TELEMETRY_BATCH_MAX: z.coerce.number().int().min(1).max(2000).default(2000),
  SESSION_TTL_H: z.coerce.number().positive().default(12),
  // Behind a TLS-terminating reverse proxy: whose X-Forwarded-* to believe (so the session
  // cookie is Secure and the client address is the real one). false, true (any), or a comma
  // list of proxy addresses / CIDRs / loopback | linklocal | uniquelocal.
  TRUST_PROXY: z.string().default('false')
    .refine((v) => /^(true|false)$/.test(v) || v.split(',').every((p) => /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(\/\d{1,3})?)$/.test(p.trim())),
      'true, false, or a comma list of proxy addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8) or loopback')
    .transform((v): boolean | string[] => (v === 'true' ? true : v === 'false' ? false : v.split(',').map((p) => p.trim()))),
  DEVICE_RATE_MAX: z.coerce.number().min(0).default(20),
  DEVICE_RATE_BURST: z.coerce.number().int().min(1).default(100),
  // Retention on plain PostgreSQL, in days per table (0 = keep for ever); see domain/retention-policy.ts.
  RETENTION_SIGNALS_D: days.default(180),
  RETENTION_LIVE_EVENTS_D: days.default(7),
  RETENTION_NOTIFICATIONS_D: days.default(365),
  RETENTION_QUARANTINE_D: days.default(30),
  RETENTION_AUDIT_LOG_D: days.default(1095),
}).superRefine((c, ctx) => {
  if (c.MQTT_TLS_PORT !== undefined && (!c.TLS_CERT || !c.TLS_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['TLS_CERT'], message: 'TLS_CERT and TLS_KEY are required when MQTT_TLS_PORT is set' });
  }
  if (c.SLA_WARN_S >= c.SLA_ONSITE_S) {
    ctx.addIssue({ code: 'custom', path: ['SLA_WARN_S'], message: `must be below SLA_ONSITE_S (${c.SLA_ONSITE_S})` });
  }
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly variable: string, readonly problem: string, readonly value?: string) {
    super(`${variable}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, as in most .env files. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const result = configSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'config');
  const secret = /PASSWORD|URL|KEY/.test(variable);
  throw new ConfigError(variable, issue.message, secret ? undefined : cleaned[variable]);
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
