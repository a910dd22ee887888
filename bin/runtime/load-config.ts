import { existsSync } from 'node:fs';
import { ConfigError, parseConfig, type Config } from '../../domain/config.js';

/** Reads `.env` (when present) and the environment, validates once; a bad value exits with one line. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return parseConfig({ ...process.env, ...overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`guardian: invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
