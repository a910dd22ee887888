import type pg from 'pg';
import type { Config } from '../../domain/config.js';
import { RETAINED_TABLES, RETENTION_VARIABLE, retentionDays, type RetainedTable } from '../../domain/retention-policy.js';
import { lastRetentionRun, tableSizes } from '../../store/retention-repository.js';

const retained = (t: string): t is RetainedTable => (RETAINED_TABLES as readonly string[]).includes(t);

/** Disk use per table beside the retention in force and the last pass (the admin page's storage panel). */
export class StorageService {
  constructor(private readonly pool: pg.Pool, private readonly config: Config) {}

  async current() {
    const days = retentionDays(this.config);
    const sizes = await tableSizes(this.pool);
    return {
      tables: sizes.map((s) => ({
        ...s,
        retentionDays: retained(s.table) ? days[s.table] : null,
        variable: retained(s.table) ? RETENTION_VARIABLE[s.table] : null,
      })),
      lastRun: await lastRetentionRun(this.pool),
      totalBytes: sizes.reduce((a, s) => a + s.bytes, 0),
    };
  }
}
