/**
 * The alarm for new critical alerts: a tone generated with WebAudio (no audio file), vibration
 * on phones. Browsers refuse to start audio before a user gesture (autoplay policy), so the
 * AudioContext is created or resumed from a click on "启用声音"; until then `needsGesture` is
 * true and the UI shows that button. Mute is remembered on this device.
 */
const MUTE_KEY = 'guardian.muted';

export class Alarm {
  muted = $state(readMuted());
  /** True until a click has unlocked audio in this tab. */
  needsGesture = $state(true);
  /** Bumped on each ring, so the UI can show a visual pulse even when muted. */
  rings = $state(0);
  #ctx: AudioContext | null = null;

  /** Call from a click handler. */
  async enable(): Promise<void> {
    const Ctx = globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) { this.needsGesture = false; return; }
    this.#ctx ??= new Ctx();
    try { await this.#ctx.resume(); } catch { /* stays suspended; the button stays */ }
    this.needsGesture = this.#ctx.state !== 'running';
    if (!this.needsGesture && !this.muted) this.#tone(0.25, 1);
  }

  toggleMute(): void {
    this.muted = !this.muted;
    try { localStorage.setItem(MUTE_KEY, this.muted ? '1' : '0'); } catch { /* ignore */ }
  }

  /** A new critical alert: three rising two-tone beeps (~1.8 s) and a vibration pattern. */
  ring(): void {
    this.rings++;
    if (this.muted) return;
    try { navigator.vibrate?.([400, 150, 400, 150, 800]); } catch { /* not a phone */ }
    if (!this.#ctx || this.#ctx.state !== 'running') { this.needsGesture = true; return; }
    for (let i = 0; i < 3; i++) this.#tone(i * 0.6, 0.5);
  }

  #tone(at: number, length: number): void {
    const ctx = this.#ctx!;
    const t0 = ctx.currentTime + at;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.35, t0 + 0.02);
    gain.gain.setValueAtTime(0.35, t0 + length - 0.05);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + length);
    gain.connect(ctx.destination);
    const osc = ctx.createOscillator();
    osc.type = 'square';
    // 880 Hz then 1175 Hz: a two-note call that cuts through a quiet room without shrieking.
    osc.frequency.setValueAtTime(880, t0);
    osc.frequency.setValueAtTime(1175, t0 + length / 2);
    osc.connect(gain);
    osc.start(t0);
    osc.stop(t0 + length + 0.02);
  }
}

function readMuted(): boolean {
  try { return globalThis.localStorage?.getItem(MUTE_KEY) === '1'; } catch { return false; }
}

export const alarm = new Alarm();
