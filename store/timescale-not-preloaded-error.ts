/**
 * TimescaleDB is installed on the server but not in `shared_preload_libraries`: its loader then
 * ends the session with FATAL on CREATE EXTENSION (or on first use of a Timescale database), so
 * we stop before migrating anything. The caller prints the message as it is: one line that says
 * what to set.
 */
export class TimescaleNotPreloadedError extends Error {
  constructor(readonly databaseUsesTimescale: boolean) {
    super(databaseUsesTimescale
      ? `this database uses TimescaleDB, but the PostgreSQL server does not preload it: set shared_preload_libraries = 'timescaledb' in postgresql.conf and restart PostgreSQL`
      : `TimescaleDB is installed on the PostgreSQL server but not preloaded: set shared_preload_libraries = 'timescaledb' in postgresql.conf and restart PostgreSQL (no migration was applied)`);
    this.name = 'TimescaleNotPreloadedError';
  }
}
