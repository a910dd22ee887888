import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The running service writes `DATA_DIR/service.json` ({mqttUrl, httpUrl, pid}); the simulators
 * use its MQTT URL when no --url is given. Null when there is no such file or it is unusable.
 */
export async function readServiceMqttUrl(dataDir: string): Promise<string | null> {
  try {
    const raw = JSON.parse(await readFile(join(dataDir, 'service.json'), 'utf8')) as { mqttUrl?: unknown };
    return typeof raw.mqttUrl === 'string' && /^mqtts?:\/\//.test(raw.mqttUrl) ? raw.mqttUrl : null;
  } catch {
    return null;
  }
}
