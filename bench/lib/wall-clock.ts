/**
 * Milliseconds since the epoch with sub-millisecond resolution, comparable between the bench's
 * processes on one machine (each process's timeOrigin is taken from the same system clock).
 */
export const wallMs = (): number => performance.timeOrigin + performance.now();
