import { readFile } from 'node:fs/promises';

/**
 * The demo console logins written 0600 by `npx guardian seed --demo` to
 * DATA_DIR/demo-logins.json (`{"logins":[{username,password,role,responderId,displayName}]}`).
 * Simulators talk only to the service's public interfaces (DESIGN §8), so this reads the file
 * itself rather than through store/.
 */
export interface ResponderLogin {
  username: string;
  password: string;
  role: string;
  responderId: string | null;
  displayName: string;
}

export class ResponderLoginsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponderLoginsError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Validates the file's shape; entries that are not logins are dropped. */
export function parseResponderLogins(raw: unknown, path: string): ResponderLogin[] {
  if (!isObject(raw) || !Array.isArray(raw.logins)) {
    throw new ResponderLoginsError(`${path} is not a logins file ({"logins":[…]}); re-create it with \`npx guardian seed --demo\``);
  }
  return raw.logins.filter((l): l is ResponderLogin => isObject(l)
    && typeof l.username === 'string' && typeof l.password === 'string' && typeof l.role === 'string'
    && (l.responderId === null || typeof l.responderId === 'string')
    && (l.displayName === undefined || typeof l.displayName === 'string'))
    .map((l) => ({ ...l, displayName: l.displayName ?? l.username }));
}

export async function readResponderLogins(path: string): Promise<ResponderLogin[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ResponderLoginsError(`logins file ${path} not found: run \`npx guardian seed --demo\` first`);
    }
    throw new ResponderLoginsError(`cannot read logins file ${path}: ${(err as Error).message}`);
  }
  try {
    return parseResponderLogins(JSON.parse(text), path);
  } catch (err) {
    if (err instanceof ResponderLoginsError) throw err;
    throw new ResponderLoginsError(`${path} is not JSON; re-create it with \`npx guardian seed --demo\``);
  }
}

/** Field responders only: accounts with the responder role linked to a responder record. */
export function fieldResponders(logins: readonly ResponderLogin[]): Array<ResponderLogin & { responderId: string }> {
  return logins.filter((l): l is ResponderLogin & { responderId: string } => l.role === 'responder' && l.responderId !== null);
}
