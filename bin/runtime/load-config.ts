import { existsSync } from 'node:fs';
import { ConfigError, parseConfig, type Config } from '../../domain/config.js';
import { useRedisPrefix } from '../../store/redis-namespace.js';

/**
 * Reads `.env` (when present) and the environment, validates once; a bad value exits with one
 * line. Also names this process's Redis keys and channels (REDIS_PREFIX, store/redis-namespace.ts).
 */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    const config = parseConfig({ ...process.env, ...overrides });
    useRedisPrefix(config.REDIS_PREFIX);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`guardian: invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
