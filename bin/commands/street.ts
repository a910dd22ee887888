import { listQuery, need, runRegisterCommand } from './register-cli.js';
import { CLI_ACTOR } from './people-cli.js';

const USAGE = `usage: npx guardian street <add|list|edit|retire|restore> [options]

  street add --name 南苑街道 [--id ID]
  street list [--q TEXT] [--include-retired] [--json]
  street edit <id> --name N
  street retire <id> | restore <id>     (retire: only a street with no community in service)`;

export default (argv: string[]) => runRegisterCommand(argv, {
  name: 'street', usage: USAGE, fields: { name: ['name', 'string'], id: ['id', 'string'] },
  actions: {
    add: (s, _a, b) => s.streets.create(CLI_ACTOR, b as { name: string }),
    list: (s, _a, _b, p) => s.streets.list(CLI_ACTOR, listQuery(p)),
    edit: (s, a, b) => s.streets.update(CLI_ACTOR, need(a, 'street'), b),
    retire: (s, a) => s.streets.retire(CLI_ACTOR, need(a, 'street'), true),
    restore: (s, a) => s.streets.retire(CLI_ACTOR, need(a, 'street'), false),
  },
  columns: [['id', (r) => r.id], ['name', (r) => r.name], ['communities', (r) => r.communities], ['retired', (r) => (r.retiredAt ? 'yes' : '')]],
});
