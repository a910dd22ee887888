import { need, needInt, runRegisterCommand } from './register-cli.js';
import { CLI_ACTOR } from './people-cli.js';

const USAGE = `usage: npx guardian resident <add|edit|retire|restore> [options]

  resident add <householdId> --name 王秀英 [--gender female|male] [--birth-year 1941] [--phone P]
               [--id-number N] [--conditions 高血压,糖尿病] [--notes 照护说明]
  resident edit <residentId> [same options]       ("-" clears a value)
  resident retire <residentId> | restore <residentId>   (moved out or passed away; the record stays)`;

export default (argv: string[]) => runRegisterCommand(argv, {
  name: 'resident', usage: USAGE,
  fields: {
    name: ['name', 'string'], gender: ['gender', 'nullable'], 'birth-year': ['birthYear', 'int'], phone: ['phone', 'nullable'],
    'id-number': ['idNumber', 'nullable'], conditions: ['conditions', 'list'], notes: ['notes', 'nullable'],
  },
  actions: {
    add: (s, a, b) => s.residents.create(CLI_ACTOR, need(a, 'household'), b as { name: string }),
    edit: (s, a, b) => s.residents.update(CLI_ACTOR, needInt(a, 'resident id'), b),
    retire: (s, a) => s.residents.retire(CLI_ACTOR, needInt(a, 'resident id'), true),
    restore: (s, a) => s.residents.retire(CLI_ACTOR, needInt(a, 'resident id'), false),
  },
});
