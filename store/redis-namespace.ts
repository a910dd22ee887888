import { redisNames, type RedisNames } from '../domain/redis-names.js';

/**
 * The Redis names this process uses (domain/redis-names.ts), set once at start from
 * REDIS_PREFIX (bin/runtime) — and by the test harness, once per test file, so files running
 * side by side on one redis-server keep their keys and channels apart. A part given an explicit
 * prefix (a dispatcher's or gateway's `queuePrefix`) derives its names from that instead.
 */
let current: RedisNames = redisNames();

export function useRedisPrefix(prefix: string | undefined): RedisNames {
  current = redisNames(prefix);
  return current;
}

export function redisNamesInUse(): RedisNames {
  return current;
}

/** The names of a part: from its own prefix when given, else the process's. */
export function redisNamesFor(prefix: string | undefined): RedisNames {
  return prefix ? redisNames(prefix) : current;
}
