/** One shared second-ticker for clocks, elapsed times and SLA countdowns. */
export class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;
  #users = 0;

  /** Start ticking while at least one user holds it; returns the release function. */
  hold(): () => void {
    if (this.#users++ === 0) {
      this.now = Date.now();
      // Align to the second so every countdown on screen flips at the same moment.
      this.#timer = setInterval(() => { this.now = Date.now(); }, 1000 - (Date.now() % 1000) || 1000);
    }
    return () => {
      if (--this.#users === 0 && this.#timer) { clearInterval(this.#timer); this.#timer = null; }
    };
  }
}

export const clock = new Clock();
