/**
 * The architecture rules of SMS Desk, checked by dependency-cruiser on every `npm run lint`
 * (`npm run lint:arch`). Type-only imports count like any other (tsPreCompilationDeps), so a
 * cycle through types alone fails too. README "Layout" says why each rule holds.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycle, type imports included: shared types go to a leaf module (e.g. src/backend/sync/types.ts).',
      severity: 'error',
      from: { path: '^(src|tools)/' },
      to: { circular: true }
    },
    {
      name: 'no-electron-outside-main',
      comment: 'The backend, the shared contract and the reference server run without Electron (tests, the CLI, the browser bridge); only src/main and src/preload use it.',
      severity: 'error',
      from: { path: '^src/(backend|shared|refserver)/' },
      to: { path: '^(node_modules/)?electron(/|$)' }
    },
    {
      name: 'renderer-not-to-backend',
      comment: 'The renderer reaches the backend only through the contract (src/renderer/src/api), never by importing it.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/(backend|refserver)/' }
    },
    {
      name: 'renderer-not-to-node',
      comment: 'The renderer runs in a sandboxed page or a plain browser: no Node built-in modules (node:* or bare).',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { dependencyTypes: ['core'] }
    },
    {
      name: 'db-not-to-sync',
      comment: 'Storage does not depend on the sync: src/backend/db defines its own row and record types; the sync imports db, never the other way.',
      severity: 'error',
      from: { path: '^src/backend/db/' },
      to: { path: '^src/backend/sync/' }
    },
    {
      name: 'shared-only-shared',
      comment: 'src/shared is imported by the renderer and the backend alike: it imports only src/shared and npm packages (no Node built-ins).',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { pathNot: ['^src/shared/', '^node_modules/'] }
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves (an alias the resolver does not know would escape the rules above).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true }
    }
  ],
  options: {
    doNotFollow: { path: '^node_modules/' },
    exclude: { path: '^(out|dist|test-artifacts)/' },
    tsPreCompilationDeps: true,
    // The renderer's tsconfig: it resolves @shared/* and @renderer/* (the Node side uses no alias).
    tsConfig: { fileName: 'tsconfig.web.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings']
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true }
    }
  }
}
