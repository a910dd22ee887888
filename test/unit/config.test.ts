import { describe, expect, test } from 'vitest';
import { ConfigError, parseConfig } from '../../domain/config.js';

const fails = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError);
  }
  throw new Error('expected a ConfigError');
};

describe('configuration (DESIGN §1)', () => {
  test('defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ MQTT_PORT: 1883, HTTP_PORT: 8080, DATA_DIR: './data', GUARDIAN_TZ: 'Asia/Shanghai',
      DAY_SHIFT: '08:00-20:00', ACK_TIMEOUT_S: 180, SLA_WARN_S: 600, SLA_ONSITE_S: 900, ROLE: 'all', LOG_LEVEL: 'info' });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  test('empty strings count as unset, numbers are coerced', () => {
    expect(parseConfig({ MQTT_PORT: '', HTTP_PORT: '9000' })).toMatchObject({ MQTT_PORT: 1883, HTTP_PORT: 9000 });
  });

  test.each([
    [{ MQTT_PORT: '70000' }, 'MQTT_PORT'],
    [{ HTTP_PORT: 'eighty' }, 'HTTP_PORT'],
    [{ GUARDIAN_TZ: 'Mars/Olympus' }, 'GUARDIAN_TZ'],
    [{ DAY_SHIFT: '8-20' }, 'DAY_SHIFT'],
    [{ DAY_SHIFT: '08:00-08:00' }, 'DAY_SHIFT'],
    [{ ROLE: 'everything' }, 'ROLE'],
    [{ ACK_TIMEOUT_S: '-1' }, 'ACK_TIMEOUT_S'],
    [{ SLA_WARN_S: '900', SLA_ONSITE_S: '600' }, 'SLA_WARN_S'],
    [{ MQTT_TLS_PORT: '8883' }, 'TLS_CERT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  ])('%o is refused naming %s', (env, variable) => {
    const err = fails(env);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(variable)).toBe(true);
  });

  test('a secret-bearing value is never echoed in the error', () => {
    const err = fails({ DATABASE_URL: 'mysql://root:hunter2@db' });
    expect(err.message).not.toContain('hunter2');
    expect(fails({ GUARDIAN_ADMIN_PASSWORD: 'short' }).message).not.toContain('short"');
  });
});
