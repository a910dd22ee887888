import type { SimulatedDevice } from './simulated-device.js';

export interface RampResult {
  connected: number;
  failed: { deviceId: string; error: string }[];
}

/**
 * Opens connections a batch at a time: a thousand simultaneous CONNECTs would be a reconnect
 * storm of our own making (DESIGN §2 sizes auth for storms, but a demo should not cause one).
 */
export async function connectInBatches(
  devices: readonly SimulatedDevice[],
  opts: { batchSize?: number; timeoutMs?: number; isCancelled?: () => boolean; onBatch?: (connected: number, total: number) => void } = {},
): Promise<RampResult> {
  const batchSize = Math.max(1, opts.batchSize ?? 50);
  const result: RampResult = { connected: 0, failed: [] };
  for (let i = 0; i < devices.length; i += batchSize) {
    if (opts.isCancelled?.()) break;
    const batch = devices.slice(i, i + batchSize);
    const settled = await Promise.allSettled(batch.map((d) => d.connect(opts.timeoutMs)));
    settled.forEach((s, k) => {
      if (s.status === 'fulfilled') result.connected++;
      else result.failed.push({ deviceId: batch[k]!.deviceId, error: (s.reason as Error).message });
    });
    opts.onBatch?.(result.connected, devices.length);
  }
  return result;
}
