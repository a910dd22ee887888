import { listQuery, need, runRegisterCommand } from './register-cli.js';
import { CLI_ACTOR } from './people-cli.js';
import { str } from './args.js';

const USAGE = `usage: npx guardian grid <add|list|edit|move|retire|restore> [options]

  grid add --community ID --name 第1网格 [--id ID]
  grid list [--community ID] [--q TEXT] [--include-retired] [--json]
  grid edit <id> --name N
  grid move <id> --community ID
  grid retire <id> | restore <id>       (retire: only a grid with no building in service)`;

export default (argv: string[]) => runRegisterCommand(argv, {
  name: 'grid', usage: USAGE, fields: { name: ['name', 'string'], id: ['id', 'string'], community: ['communityId', 'string'] },
  actions: {
    add: (s, _a, b) => s.grids.create(CLI_ACTOR, b as { communityId: string; name: string }),
    list: (s, _a, _b, p) => s.grids.list(CLI_ACTOR, { ...listQuery(p), communityId: str(p, 'community') }),
    edit: (s, a, b) => s.grids.update(CLI_ACTOR, need(a, 'grid'), b),
    move: (s, a, b) => s.grids.update(CLI_ACTOR, need(a, 'grid'), { communityId: b.communityId as string }),
    retire: (s, a) => s.grids.retire(CLI_ACTOR, need(a, 'grid'), true),
    restore: (s, a) => s.grids.retire(CLI_ACTOR, need(a, 'grid'), false),
  },
  columns: [['id', (r) => r.id], ['name', (r) => r.name], ['community', (r) => r.communityName], ['buildings', (r) => r.buildings], ['households', (r) => r.households], ['retired', (r) => (r.retiredAt ? 'yes' : '')]],
});
