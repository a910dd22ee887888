/**
 * Presence confirmation beside an arrive press (issue 15 item 5): a device of the home that
 * saw someone at the door — the door contact opening, the resident's button, the radar's
 * presence — within PRESENCE_WINDOW_S before or after the press. It backs the responder's word
 * with a fact; no signal is not proof of absence (many homes have none of these devices).
 */
export const PRESENCE_WINDOW_S = 180;

export interface PresenceSignal {
  deviceId: string;
  deviceKind: string;
  type: string;
  value: unknown;
  at: Date;
}

export interface PresenceConfirmation {
  deviceId: string;
  deviceKind: string;
  signalType: string;
  signalAt: string;
  /** Seconds from the arrive press to the signal (negative: before it). */
  offsetS: number;
}

const CLOSED = new Set(['closed', 'close', 'false', 'absent', 'none', 'off', '0']);

/** Whether this signal says a person is at the door or in the home now. */
export function confirmsPresence(s: Pick<PresenceSignal, 'type' | 'value'>): boolean {
  const v = s.value && typeof s.value === 'object' && !Array.isArray(s.value)
    ? ((s.value as Record<string, unknown>).state ?? (s.value as Record<string, unknown>).value ?? true)
    : s.value;
  const off = v === false || v === 0 || (typeof v === 'string' && CLOSED.has(v.trim().toLowerCase()));
  switch (s.type) {
    case 'button': case 'sos': case 'cancel': return true; // a press is a hand on the device
    case 'door': case 'presence': return !off; // the door opening; the radar seeing someone
    default: return false;
  }
}

/** [from, to] of the window around an arrive press. */
export function presenceWindow(arriveAt: Date, windowS = PRESENCE_WINDOW_S): { from: Date; to: Date } {
  return { from: new Date(arriveAt.getTime() - windowS * 1000), to: new Date(arriveAt.getTime() + windowS * 1000) };
}

/** The confirming signal nearest to the press inside the window, or null. */
export function presenceConfirmation(arriveAt: Date, signals: readonly PresenceSignal[], windowS = PRESENCE_WINDOW_S): PresenceConfirmation | null {
  let best: PresenceSignal | null = null;
  for (const s of signals) {
    const d = Math.abs(s.at.getTime() - arriveAt.getTime());
    if (d > windowS * 1000 || !confirmsPresence(s)) continue;
    if (!best || d < Math.abs(best.at.getTime() - arriveAt.getTime())) best = s;
  }
  if (!best) return null;
  return {
    deviceId: best.deviceId, deviceKind: best.deviceKind, signalType: best.type, signalAt: best.at.toISOString(),
    offsetS: Math.round((best.at.getTime() - arriveAt.getTime()) / 1000),
  };
}
