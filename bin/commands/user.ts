import { randomBytes } from 'node:crypto';
import { EXIT_OK, fail, oneLine, parseCommandArgs, str, usageError, UsageError, withDatabase, type Parsed } from './args.js';
import { createUser, setPassword, USER_ROLES, UserExistsError, type UserRole } from '../../store/users-repository.js';

const USAGE = `usage: npx guardian user <add|passwd> [options]

  user add --username U --role ${USER_ROLES.join('|')} [--responder <id>] [--name N] [--password P]
      Creates a console user. A responder user is linked to a responder (their phone view
      shows their own alerts). Without --password a password is generated and shown once.
  user passwd --username U [--password P]
      Sets a new password (generated and shown once when --password is not given).

Options:
  --username <u>     login name: letters, digits, . _ -
  --role <role>      ${USER_ROLES.join(', ')}
  --responder <id>   the responder this login acts as (required for --role responder)
  --name <n>         display name shown in the console
  --password <p>     at least 8 characters (note: it stays in your shell history)
  -h, --help         this help`;

const OPTIONS = {
  username: { type: 'string' },
  role: { type: 'string' },
  responder: { type: 'string' },
  name: { type: 'string' },
  password: { type: 'string' },
} as const;

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export default async function userCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE, { maxPositionals: 1 });
  if (typeof parsed === 'number') return parsed;
  const [sub] = parsed.positionals;
  try {
    switch (sub) {
      case 'add': return await add(parsed);
      case 'passwd': return await passwd(parsed);
      case undefined: return usageError('missing subcommand: add or passwd', USAGE);
      default: return usageError(`unknown subcommand "${sub}": use add or passwd`, USAGE);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    return fail(`user ${sub} failed: ${oneLine(err)}`);
  }
}

function username(p: Parsed): string {
  const u = str(p, 'username');
  if (!u) throw new UsageError('--username is required');
  if (!USERNAME.test(u)) throw new UsageError(`--username "${u}": use 1-64 letters, digits, ".", "_" or "-"`);
  return u;
}

/** The given password, or a generated one (then printed once). */
function password(p: Parsed): { password: string; generated: boolean } {
  const given = str(p, 'password');
  if (given !== undefined) {
    if (given.length < 8) throw new UsageError('--password must have at least 8 characters');
    return { password: given, generated: false };
  }
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

async function add(p: Parsed): Promise<number> {
  const name = username(p);
  const role = str(p, 'role');
  if (!role) throw new UsageError(`--role is required: ${USER_ROLES.join(', ')}`);
  if (!(USER_ROLES as readonly string[]).includes(role)) return fail(`unknown role "${role}"; allowed roles: ${USER_ROLES.join(', ')}`);
  const responderId = str(p, 'responder') ?? null;
  if (role === 'responder' && !responderId) throw new UsageError('--role responder needs --responder <id> (the responder this login acts as)');
  const pw = password(p);

  return withDatabase(async (pool) => {
    let displayName = str(p, 'name') ?? null;
    if (responderId) {
      const r = await pool.query<{ name: string }>('SELECT name FROM responders WHERE id = $1', [responderId]);
      if (!r.rows[0]) return fail(`unknown responder "${responderId}"`);
      displayName ??= r.rows[0].name;
    }
    try {
      await createUser(pool, { username: name, password: pw.password, role: role as UserRole, responderId, displayName });
    } catch (err) {
      if (err instanceof UserExistsError) return fail(err.message);
      throw err;
    }
    process.stdout.write(`user "${name}" created (role ${role}${responderId ? `, responder ${responderId}` : ''})\n`);
    if (pw.generated) process.stdout.write(`password: ${pw.password}\n(shown only this once)\n`);
    return EXIT_OK;
  });
}

async function passwd(p: Parsed): Promise<number> {
  const name = username(p);
  const pw = password(p);
  return withDatabase(async (pool) => {
    if (!(await setPassword(pool, name, pw.password))) return fail(`unknown user "${name}"`);
    process.stdout.write(`password of "${name}" changed\n`);
    if (pw.generated) process.stdout.write(`password: ${pw.password}\n(shown only this once)\n`);
    return EXIT_OK;
  });
}
