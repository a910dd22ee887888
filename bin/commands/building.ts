import { listQuery, need, runRegisterCommand } from './register-cli.js';
import { CLI_ACTOR } from './people-cli.js';
import { str } from './args.js';

const USAGE = `usage: npx guardian building <add|list|edit|move|retire|restore> [options]

  building add --grid ID --name 鹿山新村1栋 [--address A] [--x M --y M] [--lat D --lng D] [--id ID]
      x/y: metres on the community's site plan; lat/lng optional (WGS-84)
  building list [--grid ID] [--community ID] [--q TEXT] [--include-retired] [--json]
  building edit <id> [--name N] [--address A] [--x M] [--y M] [--lat D] [--lng D]   ("-" clears)
  building move <id> --grid ID
  building retire <id> | restore <id>   (retire: only a building with no household in service)`;

export default (argv: string[]) => runRegisterCommand(argv, {
  name: 'building', usage: USAGE,
  fields: {
    name: ['name', 'string'], id: ['id', 'string'], grid: ['gridId', 'string'], address: ['address', 'nullable'],
    x: ['x', 'number'], y: ['y', 'number'], lat: ['lat', 'number'], lng: ['lng', 'number'],
  },
  actions: {
    add: (s, _a, b) => s.buildings.create(CLI_ACTOR, b as { gridId: string; name: string }),
    list: (s, _a, _b, p) => s.buildings.list(CLI_ACTOR, { ...listQuery(p), gridId: str(p, 'grid'), communityId: undefined }),
    edit: (s, a, b) => s.buildings.update(CLI_ACTOR, need(a, 'building'), b),
    move: (s, a, b) => s.buildings.update(CLI_ACTOR, need(a, 'building'), { gridId: b.gridId as string }),
    retire: (s, a) => s.buildings.retire(CLI_ACTOR, need(a, 'building'), true),
    restore: (s, a) => s.buildings.retire(CLI_ACTOR, need(a, 'building'), false),
  },
  columns: [['id', (r) => r.id], ['name', (r) => r.name], ['grid', (r) => r.gridName], ['x', (r) => r.x], ['y', (r) => r.y], ['households', (r) => r.households], ['retired', (r) => (r.retiredAt ? 'yes' : '')]],
});
