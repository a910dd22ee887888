/** The log the dispatcher writes to; bin/runtime/logger.ts's Logger fits (dispatcher may not import bin/). */
export interface DispatcherLog {
  info(message: string): void;
  warn(message: string, err?: unknown): void;
  error(message: string, err?: unknown): void;
  debug?(message: string): void;
}
