import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CONSOLE = join(process.cwd(), 'console');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestMtime(p));
    else newest = Math.max(newest, (await stat(p)).mtimeMs);
  }
  return newest;
}

/**
 * The browser tests drive the built console (console/dist, served by the API). `npm ci` builds
 * it (prepare), but a checkout whose console sources changed since would test a stale bundle:
 * rebuild when any source is newer than dist/index.html.
 */
export async function ensureConsoleBuilt(log: (m: string) => void = () => {}): Promise<void> {
  const built = await stat(join(CONSOLE, 'dist', 'index.html')).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(
    await newestMtime(join(CONSOLE, 'src')),
    await newestMtime(join(CONSOLE, 'public')),
    (await stat(join(CONSOLE, 'index.html'))).mtimeMs,
    (await stat(join(CONSOLE, 'vite.config.ts'))).mtimeMs,
  );
  if (built >= sources) return;
  log('console/dist is older than console/src: building it');
  await run(process.execPath, [join(process.cwd(), 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'],
    { cwd: process.cwd(), timeout: 180_000 });
}
