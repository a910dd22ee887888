/**
 * Everything a scenario started (processes, databases) registers its stop here, so when a
 * scenario fails or overruns its budget the runner still stops exactly what the bench started.
 */
const live = new Set<() => Promise<void>>();

/** Registers a stop; the returned stop runs it once and unregisters it. */
export function track(stop: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => {
    live.delete(once);
    done ??= stop();
    return done;
  };
  live.add(once);
  return once;
}

/** Stops everything still registered, newest first. */
export async function stopAllTracked(): Promise<number> {
  const all = [...live].reverse();
  for (const stop of all) await stop().catch(() => {});
  return all.length;
}
