import { randomBytes } from 'node:crypto';
import { EXIT_OK, fail, oneLine, parseCommandArgs, str, usageError, UsageError, withDatabase, type Parsed } from './args.js';
import { UsersService } from '../../api/services/users-service.js';
import { setPassword, USER_ROLES, type UserRole } from '../../store/users-repository.js';
import { CLI_ACTOR, cliMessage } from './people-cli.js';

const USAGE = `usage: npx guardian user <add|passwd> [options]

  user add --username U --role ${USER_ROLES.join('|')} [--responder <id>] [--communities c1,c2]
           [--streets s1] [--name N] [--password P]
      Creates a console user. A responder user is linked to a responder (their phone view
      shows their own alerts); an operator or supervisor works for communities (default: the
      only one, when there is exactly one); a street user reads every community of its streets.
      Without --password a password is generated and shown once.
  user passwd --username U [--password P]
      Sets a new password (generated and shown once when --password is not given).

Options:
  --username <u>     login name: letters, digits, . _ -
  --role <role>      ${USER_ROLES.join(', ')}
  --responder <id>   the responder this login acts as (required for --role responder)
  --communities <ids> comma-separated communities of an operator or supervisor
  --streets <ids>    comma-separated streets (街道) of a street user
  --name <n>         display name shown in the console
  --password <p>     at least 8 characters (note: it stays in your shell history)
  -h, --help         this help`;

const OPTIONS = {
  username: { type: 'string' },
  role: { type: 'string' },
  responder: { type: 'string' },
  communities: { type: 'string' },
  streets: { type: 'string' },
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

  const list = (key: string) => str(p, key)?.split(',').map((x) => x.trim()).filter(Boolean);
  return withDatabase(async (pool) => {
    // The same service as POST /api/v1/users: the same checks, and an audit row naming the CLI.
    let created;
    try {
      created = await new UsersService(pool).create(CLI_ACTOR, {
        username: name, role: role as UserRole, password: pw.password,
        ...(responderId ? { responderId } : {}), ...(str(p, 'name') ? { displayName: str(p, 'name')! } : {}),
        ...(list('communities') ? { communityIds: list('communities')! } : {}), ...(list('streets') ? { streetIds: list('streets')! } : {}),
      });
    } catch (err) {
      const message = cliMessage(err);
      if (message) return fail(message);
      throw err;
    }
    const u = created.user;
    const where = u.communityIds.length ? `, communities ${u.communityIds.join(',')}` : u.streetIds.length ? `, streets ${u.streetIds.join(',')}` : '';
    process.stdout.write(`user "${name}" created (role ${role}${responderId ? `, responder ${responderId}` : ''}${where})\n`);
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
