import { ApiError } from '../../api/api-error.js';
import { PeopleService } from '../../api/services/people-service.js';
import type { Actor } from '../../api/services/actor.js';
import type pg from 'pg';
import { scopeOf } from '../../domain/access-scope.js';
import type { Config } from '../../domain/config.js';

/**
 * The CLI manages people through the same service as the API, so it validates places, writes
 * the audit log and the live `responder.status` events the same way. It acts as an admin
 * named "cli"; the audit row says so.
 */
export const CLI_ACTOR: Actor = {
  id: 0, username: 'cli', role: 'admin', responderId: null, displayName: 'guardian CLI', ip: 'cli',
  scope: scopeOf({ role: 'admin', communityIds: [], responder: null }, 0),
};

export function peopleService(pool: pg.Pool, config: Config): PeopleService {
  return new PeopleService(pool, config.GUARDIAN_TZ);
}

/** An API error reads as a CLI error: "body.gridIds: unknown …" → "gridIds: unknown …". */
export function cliMessage(err: unknown): string | null {
  return err instanceof ApiError ? err.message.replace(/\bbody\./g, '') : null;
}
