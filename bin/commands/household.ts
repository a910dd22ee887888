import { listQuery, need, runRegisterCommand } from './register-cli.js';
import { CLI_ACTOR } from './people-cli.js';
import { str } from './args.js';

const USAGE = `usage: npx guardian household <add|list|edit|move|retire|restore> [options]

  household add --building ID --unit 2单元301室 --address A [--code 户号] [--phone P]
                [--living alone|couple|with_family] [--access-notes 钥匙/门禁说明] [--notes N] [--id ID]
  household list [--community ID] [--grid ID] [--building ID] [--q TEXT] [--include-retired] [--json]
  household edit <id> [--code C] [--unit U] [--address A] [--phone P] [--living L] [--access-notes T] [--notes N]
  household move <id> --building ID     (the household keeps its id, alerts, signals and visits)
  household retire <id> | restore <id>  (retire: no live alert, no device in service)
  Residents and contacts: npx guardian resident … / contact …`;

export default (argv: string[]) => runRegisterCommand(argv, {
  name: 'household', usage: USAGE,
  fields: {
    id: ['id', 'string'], building: ['buildingId', 'string'], unit: ['unit', 'string'], address: ['address', 'string'], code: ['code', 'string'],
    phone: ['phone', 'nullable'], living: ['livingSituation', 'string'], 'access-notes': ['accessNotes', 'nullable'], notes: ['notes', 'nullable'],
    community: ['communityId', 'string'], grid: ['gridId', 'string'],
  },
  actions: {
    add: (s, _a, b) => s.householdRegister.create(CLI_ACTOR, b as never),
    list: (s, _a, _b, p) => s.households.list(CLI_ACTOR, { ...listQuery(p), communityId: str(p, 'community'), gridId: str(p, 'grid'), buildingId: str(p, 'building') }),
    edit: (s, a, b) => s.householdRegister.update(CLI_ACTOR, need(a, 'household'), b),
    move: (s, a, b) => s.householdRegister.update(CLI_ACTOR, need(a, 'household'), { buildingId: b.buildingId as string }),
    retire: (s, a) => s.householdRegister.retire(CLI_ACTOR, need(a, 'household'), true),
    restore: (s, a) => s.householdRegister.retire(CLI_ACTOR, need(a, 'household'), false),
  },
  columns: [['id', (r) => r.id], ['code', (r) => r.code], ['building', (r) => r.buildingName], ['unit', (r) => r.unit], ['residents', (r) => (r.residents as string[]).join('、')],
    ['devices', (r) => `${String(r.devicesOnline)}/${String(r.devicesTotal)}`], ['retired', (r) => (r.retiredAt ? 'yes' : '')]],
});
