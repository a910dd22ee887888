import { ChannelSettingsService } from '../../api/services/channel-settings-service.js';
import { CHANNEL_NAMES } from '../../domain/channel-definitions.js';
import { EXIT_OK, fail, oneLine, parseCommandArgs, str, usageError, UsageError, withDatabase, type Parsed } from './args.js';
import { CLI_ACTOR } from './people-cli.js';

const USAGE = `usage: npx guardian channel <set|show|clear|callbacks> [options]

SMS, voice calls and group robots (issue 16). Secrets are stored, never printed in full.

  channel set <channel> key=value …   e.g. channel set aliyun_sms accessKeyId=… accessKeySecret=… signName=鹿山社区 templateCode=SMS_1
                                       values that look like JSON ({…}, […], numbers) are parsed; key= (empty) removes a field
  channel show                         every channel, secrets masked, and the callback URLs to give the providers
  channel clear <channel>              remove a channel's setting
  channel callbacks --rotate <aliyun|tencent>   a new callback token; prints the URLs once

Channels: ${CHANNEL_NAMES.join(', ')}

Options:
  --community <id>   a community's own setting (default: the default of every community)
  --rotate <p>       with callbacks: the provider
  -h, --help         this help`;

const OPTIONS = { community: { type: 'string' }, rotate: { type: 'string' } } as const;

export default async function channelCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS, USAGE, { maxPositionals: 64 });
  if (typeof parsed === 'number') return parsed;
  const [sub, channel, ...pairs] = parsed.positionals;
  try {
    switch (sub) {
      case 'set': return await set(parsed, channel, pairs);
      case 'show': return await show();
      case 'clear': return await clear(parsed, channel);
      case 'callbacks': return await callbacks(parsed);
      default: return usageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand: set, show, clear or callbacks', USAGE);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    return fail(`channel ${sub ?? ''} failed: ${oneLine(err)}`);
  }
}

function value(raw: string): unknown {
  if (raw === '') return null;
  if (/^[[{]/.test(raw) || /^-?\d+(\.\d+)?$/.test(raw) || raw === 'true' || raw === 'false' || raw === 'null') {
    try { return JSON.parse(raw); } catch { /* a plain string */ }
  }
  return raw;
}

async function set(p: Parsed, channel: string | undefined, pairs: string[]): Promise<number> {
  if (!channel) throw new UsageError('channel set needs a channel name');
  const values: Record<string, unknown> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i < 1) throw new UsageError(`"${pair}": use key=value`);
    values[pair.slice(0, i)] = value(pair.slice(i + 1));
  }
  return withDatabase(async (pool) => {
    const r = await new ChannelSettingsService(pool).put(CLI_ACTOR, channel, { scope: str(p, 'community') ?? '*', values });
    process.stdout.write(`${channel} (${r.scope}) saved${r.missing.length ? `; still missing: ${r.missing.join(', ')}` : ''}\n`);
    process.stdout.write('A running dispatcher re-reads it within RECONCILE_S.\n');
    return EXIT_OK;
  });
}

async function show(): Promise<number> {
  return withDatabase(async (pool) => {
    const l = await new ChannelSettingsService(pool).list();
    if (l.channels.length === 0) process.stdout.write('no channels configured: responders get in-app/Web Push only; family and community contacts only the webhook (if set)\n');
    for (const c of l.channels) {
      process.stdout.write(`${c.channel} [${c.scope}]${c.enabled ? '' : ' (disabled)'} ${JSON.stringify(c.config)} secrets ${JSON.stringify(c.secrets)}${c.missing.length ? ` missing: ${c.missing.join(', ')}` : ''}\n`);
    }
    for (const cb of l.callbacks) process.stdout.write(`callbacks ${cb.provider}: ${cb.configured ? `token set ${String(cb.createdAt)}` : 'no token (npx guardian channel callbacks --rotate ' + cb.provider + ')'}; ${cb.paths.join(' ')}\n`);
    return EXIT_OK;
  });
}

async function clear(p: Parsed, channel: string | undefined): Promise<number> {
  if (!channel) throw new UsageError('channel clear needs a channel name');
  return withDatabase(async (pool) => {
    const r = await new ChannelSettingsService(pool).remove(CLI_ACTOR, channel, str(p, 'community') ?? '*');
    process.stdout.write(r.removed ? `${channel} cleared\n` : `${channel} had no setting there\n`);
    return EXIT_OK;
  });
}

async function callbacks(p: Parsed): Promise<number> {
  const provider = str(p, 'rotate');
  if (provider !== 'aliyun' && provider !== 'tencent') throw new UsageError('callbacks --rotate aliyun|tencent');
  return withDatabase(async (pool) => {
    const r = await new ChannelSettingsService(pool).rotateCallbackToken(null, provider);
    process.stdout.write(`New ${provider} callback URLs (shown once; prefix them with your public https://host):\n${r.paths.map((x) => `  ${x}`).join('\n')}\n`);
    return EXIT_OK;
  });
}
