import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The console's build output (DESIGN §8: console/ built to console/dist, served by the api). */
export const CONSOLE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../console/dist');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>365云守护</title>
<body style="font:16px system-ui;padding:2em"><h1>365云守护 · 365 Cloud Guardian</h1>
<p>控制台尚未构建。The console has not been built: run <code>npm run build:console</code> (npm ci does it) and restart.</p>
<p>API: <a href="/api/docs">/api/docs</a></p></body>`;

/**
 * Serves the single-page console: files from console/dist, and index.html for any other
 * non-API path so deep links (/households/h-1, /m) work after a reload. Public at the HTTP
 * layer — the app itself logs in through the API.
 */
export async function registerConsole(app: FastifyInstance, dist = CONSOLE_DIST): Promise<void> {
  const built = existsSync(join(dist, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: dist, serve: false });
  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const path = decodeURIComponent((request.params as { '*': string })['*'] ?? '');
    if (path.startsWith('api/') || path === 'api') {
      return reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } });
    }
    if (!built) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    const file = normalize(path);
    const full = join(dist, file);
    if (file && !file.startsWith('..') && full.startsWith(dist + sep) && existsSync(full) && statSync(full).isFile()) {
      // Hashed assets are immutable; the shell and the service worker must always be fresh.
      const immutable = file.startsWith('assets' + sep);
      return reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').sendFile(file);
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
