/**
 * The alarm for new critical alerts: a tone generated with WebAudio (no audio file), vibration
 * on phones. Browsers refuse to start audio before a user gesture (autoplay policy), so the
 * AudioContext is created or resumed from a click on "启用声音"; until then `needsGesture` is
 * true and the UI shows that button. Mute is remembered on this device.
 */
const MUTE_KEY = 'guardian.muted';
/** Issue 16: the sound choice is remembered per browser: enabled once, enabled after every reload. */
const ENABLED_KEY = 'guardian.sound.enabled';
const VOLUME_KEY = 'guardian.sound.volume';
const TONE_KEY = 'guardian.sound.tone';
export const ALARM_TONES = ['two-tone', 'siren', 'bell'] as const;
export type AlarmTone = (typeof ALARM_TONES)[number];

export class Alarm {
  muted = $state(readMuted());
  /** True until a click has unlocked audio in this tab. */
  needsGesture = $state(true);
  /** Bumped on each ring, so the UI can show a visual pulse even when muted. */
  rings = $state(0);
  /** 0..1, remembered per browser. */
  volume = $state(readNumber(VOLUME_KEY, 0.8));
  tone = $state<AlarmTone>(readTone());
  #ctx: AudioContext | null = null;
  #unlockListening = false;

  /** Call from a click handler. */
  async enable(): Promise<void> {
    const Ctx = globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) { this.needsGesture = false; return; }
    this.#ctx ??= new Ctx();
    try { await this.#ctx.resume(); } catch { /* stays suspended; the button stays */ }
    this.needsGesture = this.#ctx.state !== 'running';
    if (!this.needsGesture) save(ENABLED_KEY, '1');
    if (!this.needsGesture && !this.muted) this.#tone(0.25, 1);
  }

  /**
   * After a reload: the browser remembered the choice, so start audio at once where the autoplay
   * policy allows it, and otherwise at the very first click or key anywhere on the page — never
   * another "enable sound" button to find at 3 a.m.
   */
  async restore(): Promise<void> {
    if (read(ENABLED_KEY) !== '1') return;
    const Ctx = globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) { this.needsGesture = false; return; }
    this.#ctx ??= new Ctx();
    try { await this.#ctx.resume(); } catch { /* needs a gesture */ }
    this.needsGesture = this.#ctx.state !== 'running';
    if (this.needsGesture && !this.#unlockListening && typeof document !== 'undefined') {
      this.#unlockListening = true;
      const unlock = () => {
        document.removeEventListener('pointerdown', unlock, true);
        document.removeEventListener('keydown', unlock, true);
        this.#unlockListening = false;
        void this.#ctx?.resume().then(() => { this.needsGesture = this.#ctx?.state !== 'running'; });
      };
      document.addEventListener('pointerdown', unlock, true);
      document.addEventListener('keydown', unlock, true);
    }
  }

  get enabledInBrowser(): boolean {
    return read(ENABLED_KEY) === '1';
  }

  setVolume(v: number): void {
    this.volume = Math.min(1, Math.max(0, v));
    save(VOLUME_KEY, String(this.volume));
  }

  setTone(t: AlarmTone): void {
    this.tone = t;
    save(TONE_KEY, t);
  }

  /** The settings' sound test: the real alarm, at the chosen tone and volume. */
  async test(): Promise<void> {
    if (!this.#ctx || this.#ctx.state !== 'running') await this.enable();
    if (this.#ctx?.state === 'running') for (let i = 0; i < 3; i++) this.#tone(i * 0.6, 0.5);
  }

  /** A short alarm (the live connection is down for more than 10 s): two low beeps. */
  short(): void {
    this.rings++;
    if (this.muted || !this.#ctx || this.#ctx.state !== 'running') return;
    this.#tone(0, 0.3, 440);
    this.#tone(0.45, 0.3, 440);
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

  #tone(at: number, length: number, pitch?: number): void {
    const ctx = this.#ctx!;
    const t0 = ctx.currentTime + at;
    const peak = Math.max(0.0002, 0.45 * this.volume);
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(peak, t0 + 0.02);
    gain.gain.setValueAtTime(peak, t0 + length - 0.05);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + length);
    gain.connect(ctx.destination);
    const osc = ctx.createOscillator();
    osc.type = this.tone === 'bell' ? 'sine' : 'square';
    if (pitch) osc.frequency.setValueAtTime(pitch, t0);
    else if (this.tone === 'siren') {
      osc.frequency.setValueAtTime(650, t0);
      osc.frequency.linearRampToValueAtTime(1300, t0 + length);
    } else {
      // 880 Hz then 1175 Hz: a two-note call that cuts through a quiet room without shrieking.
      osc.frequency.setValueAtTime(this.tone === 'bell' ? 1320 : 880, t0);
      osc.frequency.setValueAtTime(this.tone === 'bell' ? 990 : 1175, t0 + length / 2);
    }
    osc.connect(gain);
    osc.start(t0);
    osc.stop(t0 + length + 0.02);
  }
}

function readMuted(): boolean {
  return read(MUTE_KEY) === '1';
}

function read(key: string): string | null {
  try { return globalThis.localStorage?.getItem(key) ?? null; } catch { return null; }
}

function save(key: string, value: string): void {
  try { globalThis.localStorage?.setItem(key, value); } catch { /* private mode: this tab only */ }
}

function readNumber(key: string, fallback: number): number {
  const v = Number(read(key));
  return read(key) !== null && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : fallback;
}

function readTone(): AlarmTone {
  const v = read(TONE_KEY);
  return (ALARM_TONES as readonly string[]).includes(v ?? '') ? (v as AlarmTone) : 'two-tone';
}

export const alarm = new Alarm();
