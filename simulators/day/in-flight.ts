/** Work the simulation started and has not seen finish (a publish awaiting its PUBACK, an HTTP call). */
export class InFlight {
  private n = 0;
  begin(): void { this.n++; }
  end(): void { this.n = Math.max(0, this.n - 1); }
  get count(): number { return this.n; }
}
