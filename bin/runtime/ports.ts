import { freePort, isPortFree } from '../../store/ports.js';
import type { Logger } from './logger.js';

/** A listen port the operator did not set (DESIGN §1 defaults) may move; one they set may not. */
export interface PortChoice { variable: string; port: number; explicit: boolean }

export class PortTakenError extends Error {
  constructor(readonly variable: string, readonly port: number) {
    super(`port ${port} (${variable}) is already in use: stop what is listening there, or set ${variable} to a free port`);
    this.name = 'PortTakenError';
  }
}

/**
 * Ports set in the environment are bound strictly (a taken one is a PortTakenError naming the
 * variable). A default port that is busy — e.g. 1883 held by a system Mosquitto — is replaced
 * by a free one, with a warning, so `npm start` on a fresh clone still comes up.
 */
export async function choosePort(variable: string, configured: number, host: string, env: NodeJS.ProcessEnv, log: Logger): Promise<PortChoice> {
  const explicit = env[variable] !== undefined && env[variable] !== '';
  if (configured === 0) return { variable, port: configured, explicit };
  const probeHost = host === '0.0.0.0' || host === '::' ? '0.0.0.0' : host;
  // Checked before anything starts, so a taken port costs a second, not a database start.
  if (await isPortFree(configured, probeHost)) return { variable, port: configured, explicit };
  if (explicit) throw new PortTakenError(variable, configured);
  const port = await freePort(probeHost);
  log.warn(`default port ${configured} for ${variable} is busy; using ${port} instead (set ${variable} to choose)`);
  return { variable, port, explicit };
}
