import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../store/ports.js';
import type { BrokerTarget } from './broker-target.js';
import { stopChild } from './child-node.js';
import { track } from './cleanup-registry.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export function mosquittoVersion(): string | null {
  if (!existsSync(MOSQUITTO)) return null;
  try {
    const out = execFileSync(MOSQUITTO, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch (err) {
    // `mosquitto -h` exits 3 after printing its usage.
    const out = String((err as { stdout?: string }).stdout ?? '');
    return /mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown';
  }
}

/**
 * Debian's mosquitto on a free loopback port with a config file of its own (never the
 * system's 1883 instance): anonymous, no persistence, no logging — accepting everything, like
 * raw aedes. Returns null when the binary is absent.
 */
export async function startMosquitto(dir: string): Promise<BrokerTarget | null> {
  const version = mosquittoVersion();
  if (!version) return null;
  const port = await freePort();
  const conf = join(dir, `mosquitto-${port}.conf`);
  await writeFile(conf, [
    `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none',
    'max_connections -1', 'max_inflight_messages 0', 'max_queued_messages 100000', '',
  ].join('\n'));
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
  const stop = track(() => stopChild(child));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) { await stop(); throw new Error(`mosquitto exited with code ${child.exitCode}`); }
    const up = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1', () => { s.end(); res(true); });
      s.on('error', () => res(false));
    });
    if (up) break;
    if (Date.now() > deadline) { await stop(); throw new Error('mosquitto did not listen within 10 s'); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name: `mosquitto ${version}`, url: `mqtt://127.0.0.1:${port}`, pid: child.pid!, stop };
}
