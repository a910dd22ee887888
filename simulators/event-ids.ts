/**
 * Event ids unique per device (the gateway's dedupe key, DESIGN §2): a time prefix keeps ids
 * unique across restarts of the simulator, the counter within one run.
 */
export function eventIdGenerator(): () => string {
  let counter = 0;
  return () => `${Date.now().toString(36)}-${(counter++).toString(36)}`;
}
