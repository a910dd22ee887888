import { EmbeddedPostgresError } from '../store/embedded-postgres.js';

/**
 * `guardian <command> …`: each command is a module in bin/commands/ whose default export takes
 * the remaining arguments and resolves to an exit code.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: (argv: string[]) => Promise<number> }> }> = {
  start: { summary: 'run the service (gateway + dispatcher + API + console)', load: () => import('./commands/start.js') },
  demo: { summary: 'start + seeded demo community + simulators', load: () => import('./commands/demo.js') },
  migrate: { summary: 'apply database migrations', load: () => import('./commands/migrate.js') },
  backup: { summary: 'backup [--out FILE]: a consistent backup of the database', load: () => import('./commands/backup.js') },
  restore: { summary: 'restore FILE [--force]: restore a backup into an empty database', load: () => import('./commands/restore.js') },
  seed: { summary: 'seed --demo [--households N]: the demo community', load: () => import('./commands/seed.js') },
  device: { summary: 'device add|list|revoke: provision and manage devices', load: () => import('./commands/device.js') },
  hub: { summary: 'hub devices|register|ack|base-topic: zigbee2mqtt hubs and their Zigbee devices', load: () => import('./commands/hub.js') },
  webhook: { summary: 'webhook set|show|clear: the SMS/voice gateway URL and its HMAC secret', load: () => import('./commands/webhook.js') },
  channel: { summary: 'channel set|show|clear|callbacks: SMS, voice and group-robot channels (issue 16)', load: () => import('./commands/channel.js') },
  responder: { summary: 'responder add|list|duty: people who answer alerts', load: () => import('./commands/responder.js') },
  roster: { summary: 'roster add|list|remove: weekly shifts and dated overrides', load: () => import('./commands/roster.js') },
  user: { summary: 'user add: create a console user', load: () => import('./commands/user.js') },
  street: { summary: 'street add|list|edit|retire|restore: streets (街道)', load: () => import('./commands/street.js') },
  community: { summary: 'community add|list|edit|move|retire|restore|settings: communities', load: () => import('./commands/community.js') },
  grid: { summary: 'grid add|list|edit|move|retire|restore: grids of a community', load: () => import('./commands/grid.js') },
  building: { summary: 'building add|list|edit|move|retire|restore: buildings (site-plan x/y)', load: () => import('./commands/building.js') },
  household: { summary: 'household add|list|edit|move|retire|restore: households (code 户号)', load: () => import('./commands/household.js') },
  resident: { summary: 'resident add|edit|retire|restore: residents of a household', load: () => import('./commands/resident.js') },
  contact: { summary: 'contact add|edit|remove: contacts of a household', load: () => import('./commands/contact.js') },
  import: { summary: 'import FILE --dry-run|--apply: the register from XLSX/CSV', load: () => import('./commands/import.js') },
  export: { summary: 'export FILE [--template]: the register as XLSX/CSV', load: () => import('./commands/export.js') },
  simulate: { summary: 'simulate [incident|--load]: device simulators over MQTT', load: () => import('./commands/simulate.js') },
  bench: { summary: 'bench [--quick] [scenario …]: the benchmark suite (bench/RESULTS.md)', load: () => import('./commands/bench.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return ['usage: npx guardian <command> [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    '', 'Run `npx guardian <command> --help` for its options.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`guardian: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const mod = await command.load();
  try {
    return await mod.default(rest);
  } catch (err) {
    // Every command that opens the embedded database can meet this one: a line, not a stack.
    if (!(err instanceof EmbeddedPostgresError)) throw err;
    process.stderr.write(`guardian: ${err.message}\n`);
    return 1;
  }
}
