import type { FastifyInstance } from 'fastify';
import { createWebSocketStream } from 'ws';
import type { ApiDeps } from '../app-deps.js';
import { ApiError } from '../api-error.js';

/**
 * MQTT over WebSocket at `/mqtt` (DESIGN §1). Public at the HTTP layer: the MQTT CONNECT inside
 * the stream authenticates the device, exactly as on the TCP port. The socket becomes a byte
 * stream for the broker (aedes `handle(stream, req)`), which the API reaches only through
 * ApiDeps.mqttOverWebSocket, never by importing the gateway (DESIGN §8).
 */
export async function mqttWebSocketRoutes(app: FastifyInstance, deps: ApiDeps) {
  app.route({
    method: 'GET',
    url: '/mqtt',
    config: { public: true },
    schema: { hide: true },
    preValidation: async () => {
      if (!deps.mqttOverWebSocket) throw new ApiError(503, 'unavailable', 'MQTT over WebSocket is not served by this instance');
    },
    // A plain HTTP GET (no Upgrade header) gets a clear answer instead of an empty 404.
    handler: async (_request, reply) => {
      reply.header('upgrade', 'websocket');
      throw new ApiError(426, 'upgrade_required', 'connect with an MQTT client over WebSocket (subprotocol "mqtt")');
    },
    wsHandler: (socket, request) => {
      const stream = createWebSocketStream(socket);
      // Until the broker attaches its own listener, a reset connection must not crash the process.
      stream.on('error', () => {});
      deps.mqttOverWebSocket!(stream, request.raw);
    },
  });
}
