/**
 * The process log: one line per message on stderr (stdout stays for results such as the JSON
 * of `device add --json`). Error objects are reduced to their message so a driver's error
 * never dumps a connection string or a payload into the log.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const ORDER: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };

export interface Logger {
  info(message: string): void;
  warn(message: string, err?: unknown): void;
  error(message: string, err?: unknown): void;
  debug(message: string): void;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ? `${err.message} (${(err as NodeJS.ErrnoException).code})` : err.message;
  return String(err);
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = ORDER[level];
  const emit = (lvl: LogLevel, message: string, err?: unknown) => {
    if (ORDER[lvl] < min) return;
    const suffix = err === undefined ? '' : `: ${describeError(err)}`;
    write(`${new Date().toISOString()} ${lvl.padEnd(5)} ${message}${suffix}\n`);
  };
  return {
    info: (m) => emit('info', m),
    warn: (m, e) => emit('warn', m, e),
    error: (m, e) => emit('error', m, e),
    debug: (m) => emit('debug', m),
  };
}
