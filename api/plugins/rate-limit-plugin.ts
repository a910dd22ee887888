import rateLimit from '@fastify/rate-limit';
import { ApiError } from '../api-error.js';
import { globalPlugin } from './global-plugin.js';

/**
 * @fastify/rate-limit, opt-in per route (`config.rateLimit`), so only the routes that need it
 * (login) pay for it. Its 429 goes through our error handler as the usual error shape.
 */
export const rateLimitPlugin = globalPlugin('rate-limit', async (app) => {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new ApiError(ctx.statusCode, 'rate_limited', `too many attempts; try again in ${ctx.after}`),
  });
});
