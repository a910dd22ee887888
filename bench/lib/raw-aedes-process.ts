import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BrokerTarget } from './broker-target.js';
import { collectGarbage } from './child-gc.js';
import { forkTs, stopChild } from './child-node.js';

export function aedesVersion(): string {
  // aedes' exports map hides package.json; find it next to its entry point.
  let dir = dirname(createRequire(import.meta.url).resolve('aedes'));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try { return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string }).version; } catch { /* up */ }
  }
  return 'unknown';
}

/** Starts raw aedes in a child process on an ephemeral loopback port. */
export async function startRawAedes(): Promise<BrokerTarget> {
  const child = forkTs('./raw-aedes-main.ts', [], 'raw-aedes');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw aedes did not start within 20 s')), 20_000);
    child.once('message', (m: { port: number }) => { clearTimeout(timer); resolve(m.port); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`raw aedes exited (${code})`)); });
  }).catch(async (e: unknown) => { await stopChild(child); throw e; });
  return { name: `raw aedes ${aedesVersion()}`, url: `mqtt://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child), collectGarbage: () => collectGarbage(child) };
}
