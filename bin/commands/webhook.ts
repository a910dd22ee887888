import { randomBytes } from 'node:crypto';
import { EXIT_OK, fail, oneLine, parseCommandArgs, str, usageError, UsageError, withDatabase, type Parsed } from './args.js';
import { getSetting, putSetting, SETTING_KEYS, type WebhookSetting } from '../../store/settings-repository.js';

const USAGE = `usage: npx guardian webhook <set|show|clear> [options]

The webhook is how SMS and voice calls go out (DESIGN §5): every notification to a phone is an
HMAC-SHA256-signed JSON POST to this URL (header X-Guardian-Signature: sha256=<hex>). Family and
community contacts have no app, so without a webhook their notifications are recorded "skipped"
and the dispatch room must phone them by hand.

  webhook set <url> [--secret S]   use this URL; keeps the current secret, or generates one
  webhook show                     the URL and the secret your SMS gateway verifies with
  webhook clear                    stop sending webhooks

Options:
  --secret <s>   the shared secret (at least 16 characters); generated when not given
  -h, --help     this help`;

const OPTIONS = { secret: { type: 'string' } } as const;

export default async function webhookCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE, { maxPositionals: 2 });
  if (typeof parsed === 'number') return parsed;
  const [sub, url] = parsed.positionals;
  try {
    switch (sub) {
      case 'set': return await set(parsed, url);
      case 'show': return await show();
      case 'clear': return await clear();
      case undefined: return usageError('missing subcommand: set, show or clear', USAGE);
      default: return usageError(`unknown subcommand "${sub}": use set, show or clear`, USAGE);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    return fail(`webhook ${sub} failed: ${oneLine(err)}`);
  }
}

function checkedUrl(raw: string | undefined): string {
  if (!raw) throw new UsageError('webhook set needs the URL, e.g. https://sms.example.com/guardian');
  let u: URL;
  try { u = new URL(raw); } catch { throw new UsageError(`"${raw}" is not a URL`); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError(`"${raw}": use an http:// or https:// URL`);
  return u.toString();
}

async function set(p: Parsed, rawUrl: string | undefined): Promise<number> {
  const url = checkedUrl(rawUrl);
  const given = str(p, 'secret');
  if (given !== undefined && given.length < 16) throw new UsageError('--secret must have at least 16 characters');
  return withDatabase(async (pool) => {
    const current = await getSetting<WebhookSetting>(pool, SETTING_KEYS.webhook);
    const secret = given ?? current?.secret ?? randomBytes(32).toString('base64url');
    await putSetting(pool, SETTING_KEYS.webhook, { url, secret });
    process.stdout.write(`webhook set: ${url}\n${given ? '' : `secret: ${secret}\n(give it to your SMS gateway to verify X-Guardian-Signature)\n`}`);
    return EXIT_OK;
  });
}

async function show(): Promise<number> {
  return withDatabase(async (pool) => {
    const current = await getSetting<WebhookSetting>(pool, SETTING_KEYS.webhook);
    if (!current?.url) {
      process.stdout.write('no webhook configured: phone notifications are recorded "skipped" (npx guardian webhook set <url>)\n');
      return EXIT_OK;
    }
    process.stdout.write(`url: ${current.url}\nsecret: ${current.secret ?? '(generated at the first send)'}\n`);
    return EXIT_OK;
  });
}

async function clear(): Promise<number> {
  return withDatabase(async (pool) => {
    await pool.query('DELETE FROM settings WHERE key = $1', [SETTING_KEYS.webhook]);
    process.stdout.write('webhook cleared: phone notifications will be recorded "skipped"\n');
    return EXIT_OK;
  });
}
