import { need, needInt, runRegisterCommand } from './register-cli.js';
import { CLI_ACTOR } from './people-cli.js';

const USAGE = `usage: npx guardian contact <add|edit|remove> [options]

  contact add <householdId> --name 李明 --relation 儿子 --phone 13987654321 [--priority 1]
  contact edit <contactId> [--name N] [--relation R] [--phone P] [--priority N]
  contact remove <contactId>      (the audit log keeps what it was)`;

export default (argv: string[]) => runRegisterCommand(argv, {
  name: 'contact', usage: USAGE,
  fields: { name: ['name', 'string'], relation: ['relation', 'string'], phone: ['phone', 'string'], priority: ['priority', 'int'] },
  actions: {
    add: (s, a, b) => s.contacts.create(CLI_ACTOR, need(a, 'household'), b as { name: string; relation: string; phone: string }),
    edit: (s, a, b) => s.contacts.update(CLI_ACTOR, needInt(a, 'contact id'), b),
    remove: (s, a) => s.contacts.remove(CLI_ACTOR, needInt(a, 'contact id')),
  },
});
