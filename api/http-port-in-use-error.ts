/**
 * The HTTP port is taken. The caller should exit with this message (DESIGN §1: strict ports,
 * a clear message, never a stack trace) or, in demo mode, try another port.
 */
export class HttpPortInUseError extends Error {
  constructor(readonly host: string, readonly port: number) {
    super(`HTTP port ${port} on ${host} is already in use; stop the other process or set HTTP_PORT to a free port`);
    this.name = 'HttpPortInUseError';
  }
}
