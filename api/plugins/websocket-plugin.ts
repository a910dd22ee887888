import websocket from '@fastify/websocket';
import { globalPlugin } from './global-plugin.js';

/**
 * WebSocket support for `/mqtt` (and later `/api/v1/live`). mqtt.js and browsers offer the
 * `mqtt` subprotocol (MQTT 3.1.1 §6: "mqtt"; older clients "mqttv3.1") and fail the handshake
 * unless the server echoes one, so we choose it when offered, else the first one offered.
 */
export const websocketPlugin = globalPlugin('websocket', async (app) => {
  await app.register(websocket, {
    options: {
      maxPayload: 1024 * 1024,
      handleProtocols: (protocols: Set<string>) => {
        for (const p of ['mqtt', 'mqttv3.1']) if (protocols.has(p)) return p;
        const first = protocols.values().next();
        return first.done ? false : first.value;
      },
    },
  });
});
