/**
 * Resolves with the reason a long-running command should stop: Ctrl-C / SIGTERM, the end of
 * `--duration`, or `early` resolving with a reason of its own (e.g. no simulated device could
 * connect). Signal handlers are removed once it resolves, so a second Ctrl-C kills as usual.
 */
export function untilStopped(opts: { durationS?: number; early?: Promise<string | undefined> } = {}): Promise<string> {
  return new Promise((resolve) => {
    const finish = (reason: string) => {
      clearTimeout(timer);
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      resolve(reason);
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    const timer = opts.durationS === undefined ? undefined : setTimeout(() => finish(`--duration ${opts.durationS} s`), opts.durationS * 1000);
    void opts.early?.then((reason) => { if (reason !== undefined) finish(reason); });
  });
}
