// Boundaries between the layers (docs/architecture.md), checked by dependency-cruiser in `npm test`
// (scripts/test.sh) and shown to fail on a fixture that breaks each rule (test/boundaries.test.ts).
// Layers: src/engine (pure core) <- src/scenario (the language) <- src/analysis (ensembles, comparisons,
// ...), with src/contract (the API's schemas) a leaf beside them; the use cases above them (src/talks, src/calibration, src/store, src/errors.ts, ...); the edges
// src/cli, src/server and web/src, which use the layers below and never each other.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-imports-nothing',
      comment:
        'src/engine is pure: it imports nothing of the project and no node:* module (it runs in Node, a worker and a browser)',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { pathNot: '^src/engine/' },
    },
    {
      name: 'scenario-only-engine',
      comment: 'src/scenario (the language) builds on the engine only',
      severity: 'error',
      from: { path: '^src/scenario/' },
      to: { path: '^(src|web)/', pathNot: '^src/(scenario|engine)/' },
    },
    {
      name: 'analysis-only-engine-and-scenario',
      comment:
        'src/analysis builds on the engine and the scenario language only (and the API contract, src/contract, whose schemas its registry names)',
      severity: 'error',
      from: { path: '^src/analysis/' },
      to: { path: '^(src|web)/', pathNot: '^src/(analysis|scenario|engine|contract)/' },
    },
    {
      name: 'contract-imports-nothing',
      comment:
        'src/contract (the API contract: zod schemas shared by server, web and the analyses) imports nothing of the project',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { path: '^(src|web)/', pathNot: '^src/contract/' },
    },
    {
      name: 'cli-not-other-edges',
      comment: 'the CLI is an edge: it calls the use cases, never the server or the web app',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/commands/serve[.]ts$' },
      to: { path: '^(src/server|web)/' },
    },
    {
      name: 'cli-serve-starts-the-server',
      comment:
        '`brink serve` is the process entry of the server: it starts it through its entry (src/server/index.ts) and uses nothing else of it',
      severity: 'error',
      from: { path: '^src/cli/commands/serve[.]ts$' },
      to: { path: '^(src/server|web)/', pathNot: '^src/server/index[.]ts$' },
    },
    {
      name: 'server-not-other-edges',
      comment: 'the server is an edge: it calls the use cases, never the CLI or the web app',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^(src/cli|web)/' },
    },
    {
      name: 'web-not-other-edges',
      comment:
        'the web app is an edge: it calls the use cases (and the API over HTTP), never the CLI or the server',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/(cli|server)/' },
    },
    {
      name: 'layers-not-edges',
      comment: 'nothing below the edges imports an edge (src/cli, src/server, web)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|server)/' },
      to: { path: '^(src/cli|src/server|web)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    // TypeScript is read with TypeScript 6 (tools/boundaries: dependency-cruiser cannot use the native
    // TypeScript 7 compiler); type-only imports count like any other.
    parser: 'tsc',
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
