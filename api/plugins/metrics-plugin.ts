import { httpDuration } from '../api-metrics.js';
import { globalPlugin } from './global-plugin.js';

/** Times every request by route pattern (never the raw URL: ids would explode the label set). */
export const metricsPlugin = globalPlugin('metrics', async (app) => {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
});
