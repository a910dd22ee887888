import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin as non-encapsulated, so its hooks and decorators apply to the whole app. This is
 * what `fastify-plugin` does (the documented `skip-override` symbol), without another dependency.
 */
export function globalPlugin<O extends Record<string, unknown>>(name: string, fn: FastifyPluginAsync<O>): FastifyPluginAsync<O> {
  const f = fn as FastifyPluginAsync<O> & Record<symbol, unknown>;
  f[Symbol.for('skip-override')] = true;
  f[Symbol.for('fastify.display-name')] = name;
  return f;
}
