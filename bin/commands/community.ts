import { listQuery, need, runRegisterCommand } from './register-cli.js';
import { CLI_ACTOR } from './people-cli.js';
import { str } from './args.js';

const USAGE = `usage: npx guardian community <add|list|edit|move|retire|restore|settings> [options]

  community add --name 鹿山社区 [--street ID] [--address A] [--phone 24-HOUR-NUMBER] [--id ID]
                [--day-shift 08:00-20:00] [--sla-warn S] [--sla-onsite S] [--ack-timeout S]
  community list [--street ID] [--q TEXT] [--include-retired] [--json]
  community edit <id> [--name N] [--address A] [--phone P] [--day-shift HH:MM-HH:MM] [--sla-warn S] …
                 ("-" clears a value: the global default applies again)
  community move <id> --street ID
  community settings <id>             the settings in force (the community's own or the global default)
  community retire <id> | restore <id>`;

export default (argv: string[]) => runRegisterCommand(argv, {
  name: 'community', usage: USAGE,
  fields: {
    name: ['name', 'string'], id: ['id', 'string'], address: ['address', 'nullable'], phone: ['emergencyPhone', 'nullable'], street: ['streetId', 'nullable'],
    'day-shift': ['dayShift', 'nullable'], 'sla-warn': ['slaWarnS', 'int'], 'sla-onsite': ['slaOnsiteS', 'int'], 'ack-timeout': ['ackTimeoutS', 'int'],
  },
  actions: {
    add: (s, _a, b) => s.communities.create(CLI_ACTOR, b as { name: string }),
    list: (s, _a, _b, p) => s.communities.list(CLI_ACTOR, { ...listQuery(p), streetId: str(p, 'street') }),
    edit: (s, a, b) => s.communities.update(CLI_ACTOR, need(a, 'community'), b),
    move: (s, a, b) => s.communities.update(CLI_ACTOR, need(a, 'community'), { streetId: (b.streetId as string | null | undefined) ?? null }),
    settings: (s, a) => s.communities.settings(CLI_ACTOR, need(a, 'community')),
    retire: (s, a) => s.communities.retire(CLI_ACTOR, need(a, 'community'), true),
    restore: (s, a) => s.communities.retire(CLI_ACTOR, need(a, 'community'), false),
  },
  columns: [['id', (r) => r.id], ['name', (r) => r.name], ['street', (r) => r.streetName], ['grids', (r) => r.grids], ['households', (r) => r.households],
    ['24-hour number', (r) => r.emergencyPhone], ['day shift', (r) => r.dayShift], ['retired', (r) => (r.retiredAt ? 'yes' : '')]],
});
