/**
 * Collects the calls made while one turn of the event loop runs and hands them to `run` as one
 * batch (setImmediate: after the I/O callbacks of this turn). Issue 6: on 2 shared cores each
 * PostgreSQL or Redis round trip costs a socket write and a wake-up, so 50 concurrent timers
 * reading 50 alerts are cheaper as one statement. `run` returns one result per item, in order;
 * if it throws, every caller of the batch gets the error (and its job is retried by BullMQ).
 */
export class TickBatcher<I, O> {
  private pending: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly run: (items: I[]) => Promise<O[]>, private readonly maxBatch = 500) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ item, resolve, reject });
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += this.maxBatch) {
      const batch = all.slice(i, i + this.maxBatch);
      this.run(batch.map((b) => b.item)).then(
        (out) => batch.forEach((b, k) => b.resolve(out[k]!)),
        (err) => batch.forEach((b) => b.reject(err)),
      );
    }
  }
}
