// Import boundaries of the server (DESIGN rule 11), checked by `npm run boundaries` in `npm test`.
//   core      knows no module, channel or platform code: modules implement core's interfaces;
//   modules   reach another module only through its public files (*.service.ts, *.entity.ts,
//             *.schemas.ts) and never the platform; route files never touch the database;
//   channels  (adapters to Meta and mail) know no module;
//   ai        (model client, retrieval, agent runtime) knows no module: the ai-agents module uses it;
//   and nothing imports in a circle (type-only imports aside: they vanish at run time).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and modules impossible to reason about alone.',
      from: { path: '^server/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-knows-no-module',
      severity: 'error',
      comment: 'core/ defines interfaces (IdentityStore, ConversationVisibility, HostInfo) that modules implement.',
      from: { path: '^server/core/' },
      to: { path: '^server/(modules|channels|platform)/|^server/(app|composition)\\.ts$' },
    },
    {
      name: 'module-public-surface',
      severity: 'error',
      comment: "Another module is reached through its *.service.ts, *.entity.ts or *.schemas.ts, never its internals.",
      from: { path: '^server/modules/([^/]+)/' },
      to: { path: '^server/modules/([^/]+)/', pathNot: ['^server/modules/$1/', '\\.(service|entity|schemas)\\.ts$'] },
    },
    {
      name: 'modules-not-to-platform',
      severity: 'error',
      comment: 'The CRM knows the installation only through core HostInfo (services.host).',
      from: { path: '^server/modules/' },
      to: { path: '^server/platform/' },
    },
    {
      name: 'routes-not-to-database',
      severity: 'error',
      comment: 'Route declarations validate and delegate; data access belongs to services.',
      from: { path: '\\.routes\\.ts$' },
      to: { path: '(^|/)node_modules/typeorm/|^server/db/|\\.entity\\.ts$' },
    },
    {
      name: 'ai-knows-no-module',
      severity: 'error',
      comment: 'server/ai/ (model client, retrieval, agent runtime) is used by the ai-agents module, never the other way round.',
      from: { path: '^server/ai/' },
      to: { path: '^server/(modules|channels|platform)/|^server/(app|composition)\\.ts$' },
    },
    {
      name: 'channels-know-no-module',
      severity: 'error',
      comment: 'Channel adapters speak to Meta and mail servers; the domain uses them, not the other way round.',
      from: { path: '^server/channels/' },
      to: { path: '^server/(modules|platform)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(test|scripts|renderer|main|build)/' },
  },
};
