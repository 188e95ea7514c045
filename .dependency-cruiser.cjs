/**
 * The layer rules, checked by `npm test` (`npm run layers`). The layers, inner to outer:
 * src/core (pure: the contract, reading, KPIs, the report; in layers of its own, see
 * CORE_LAYERS) ← src/adapters (one folder per technology) ← src/use-cases ← src/wiring ←
 * the shells (src/cli, src/demo, src/api, functions/) ← infra/. An arrow may only point inward.
 * README "Layers, and the rules that keep them" draws the same picture.
 */
const CORE = '^src/core/';

/** Folders outside the core, each with the folders it must not import (outer layers). */
const OUTER_LAYERS = {
  'src/adapters': ['src/use-cases', 'src/wiring', 'src/cli', 'src/demo', 'src/api', 'functions', 'infra'],
  'src/use-cases': ['src/adapters', 'src/wiring', 'src/cli', 'src/demo', 'src/api', 'functions', 'infra'],
  'src/wiring': ['src/cli', 'src/demo', 'src/api', 'functions', 'infra'],
  'src/cli': ['src/demo', 'src/api', 'functions', 'infra'],
  'src/demo': ['src/cli', 'src/api', 'functions', 'infra'],
  // The package's root export: a shell for apps, as the CLI is for people.
  'src/api': ['src/cli', 'src/demo', 'functions', 'infra'],
  functions: ['src/cli', 'src/demo', 'src/api', 'infra'],
};

/**
 * The core's folders in layers, lowest first, each with the folders of the core it may
 * import; any folder may import the core's root modules (src/core/*.ts: ports, config, the
 * quarter, the data-root layout, errors). The data path reads bottom-up: hashing and sets;
 * the export set's contract, discovery and row rules; the per-client state the KPIs read;
 * the bytes reader's partial aggregates and their fold; the reader port and its two readers;
 * the KPIs; the report. README "Layers, and the rules that keep them" draws the same.
 */
const CORE_LAYERS = {
  // Hash sets, hashing, interning: nothing of the core, not even its root modules.
  collections: { folders: [], rootModules: false },
  // The contract, discovery, the CSV tokenizer, the row rules, the data-quality account.
  'export-set': { folders: ['collections'] },
  // The client book and quarter activity: what a reading gives and the KPIs read.
  'client-state': { folders: ['collections', 'export-set'] },
  // Partial aggregates, their fold in file order, the distributed mode's shuffle.
  aggregate: { folders: ['collections', 'export-set', 'client-state'] },
  // src/core/readers/*.ts: the reader port and the start and end both readers share.
  readers: { folders: ['collections', 'export-set', 'client-state'] },
  // The reference reader (zod per row) and the bytes reader: the port, never each other.
  'readers/simple': { folders: ['collections', 'export-set', 'client-state', 'readers'] },
  'readers/bytes': { folders: ['collections', 'export-set', 'client-state', 'aggregate', 'readers'] },
  // The KPIs read client state and the data-quality account, never a reader.
  kpis: { folders: ['export-set', 'client-state'] },
  // The report, from the snapshot alone (see REPORT below): value formatting, the KPI table and CSV;
  'report/format': { folders: [] },
  // the trend charts (SVG);
  'report/charts': { folders: [] },
  // the report model the templates see;
  'report/model': { folders: ['report/format', 'report/charts'] },
  // the templates, their field check and the sample reports it renders; the generated field shapes.
  'report/templates': {
    folders: ['export-set', 'kpis', 'report/model', 'report/templates/fields'],
  },
  'report/templates/fields': { folders: ['report/templates'] },
};

/** A module directly in `folder` (not in a folder below it). */
const inFolder = (folder) => `^src/core/${folder}/[^/]+$`;

/**
 * The core's root modules (src/core/*.ts) sit beside the layers: they may import one another
 * and the export-set contract's constants (the configuration's row limit, the snapshot's
 * dataset names), nothing higher.
 */
const ROOT_MAY_IMPORT = '^src/core/([^/]+|export-set/(contract|row-rules)\\.ts)$';

/**
 * `node:` modules the core may use, each where a rule of its own says why; anything else the
 * core needs from Node goes through a port (core/ports.ts) to an adapter.
 */
const CORE_NODE_EXCEPTIONS = [
  // isUtf8 checks a row's bytes without decoding them, natively; the byte readers call it per
  // row, and no pure-JavaScript check comes near its speed (a TextDecoder with fatal: true
  // decodes, allocates a string and throws on failure).
  {
    file: 'src/core/(export-set/csv-tokenizer|readers/bytes/chunk-reader|readers/bytes/clients-reader)\\.ts$',
    modules: 'buffer',
  },
];

/**
 * Imports between shells that exist today, each a known exception. None today: the KPI
 * table the demo prints is report formatting (core/report/format/), and the read progress
 * line a terminal adapter (adapters/terminal/).
 */
const KNOWN_SIDEWAYS_IMPORTS = {};

/**
 * The report layer (src/core/report: model, formatting, charts, templates) works from the
 * snapshot alone, so it reads nothing of how the exports were read: the reading folders
 * below are closed to it. What it may use: KPI ids and bands, the snapshot, the config, the
 * quarter, the data-root layout and the contract's dataset names.
 */
const REPORT = '^src/core/report/';
const READING_SIDE = '^src/core/(readers|aggregate|collections|client-state)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module imports itself through others: a cycle has no inner layer to test alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment:
        'Folders outside the core depend one way too (handlers on each other, adapters on each other).',
      scope: 'folder',
      from: { pathNot: '^src/core' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle-in-core',
      severity: 'error',
      comment: 'Folders of the core depend one way, lowest first (see CORE_LAYERS); no exception.',
      scope: 'folder',
      from: { path: '^src/core' },
      to: { circular: true },
    },
    ...Object.entries(CORE_LAYERS).map(([folder, { folders, rootModules = true }]) => ({
      name: 'core-layers-one-way',
      severity: 'error',
      comment: `src/core/${folder} imports only ${folders.length > 0 ? folders.join(', ') : 'no folder of the core'}${rootModules ? ' and the core root modules' : ''}: layers of the core point down.`,
      from: { path: inFolder(folder) },
      to: {
        path: '^src/core/',
        pathNot: [
          `^src/core/${folder}/[^/]+$`,
          ...folders.map(inFolder),
          ...(rootModules ? ['^src/core/[^/]+$'] : []),
        ],
      },
    })),
    {
      name: 'core-layers-one-way',
      severity: 'error',
      comment: 'The core root modules import one another and the export-set contract only.',
      from: { path: '^src/core/[^/]+$' },
      to: { path: '^src/core/', pathNot: ROOT_MAY_IMPORT },
    },
    {
      name: 'core-folder-in-a-layer',
      severity: 'error',
      comment: 'Every folder of the core has its place in CORE_LAYERS: a new folder says what it may import.',
      from: {
        path: '^src/core/.+/',
        pathNot: Object.keys(CORE_LAYERS).map(inFolder),
      },
      to: {},
    },
    {
      name: 'core-is-innermost',
      severity: 'error',
      comment: 'The core imports no adapter, use case, wiring, shell or infrastructure.',
      from: { path: CORE },
      to: { path: '^(src/(adapters|use-cases|wiring|cli|demo|api)|functions|infra)/' },
    },
    ...Object.entries(OUTER_LAYERS).map(([folder, outer]) => ({
      name: 'no-upward-import',
      severity: 'error',
      comment: `${folder} imports only layers inside it.`,
      from: { path: `^${folder}/` },
      to: { path: `^(${outer.join('|')})/`, pathNot: KNOWN_SIDEWAYS_IMPORTS[folder] },
    })),
    {
      name: 'report-reads-no-reader',
      severity: 'error',
      comment: 'The report is built from the snapshot: it imports nothing from the reading side.',
      from: { path: REPORT },
      to: { path: READING_SIDE },
    },
    {
      name: 'report-is-top-of-core',
      severity: 'error',
      comment: 'The report is the outermost layer of the core: nothing else in the core imports it.',
      from: { path: CORE, pathNot: REPORT },
      to: { path: REPORT },
    },
    {
      name: 'core-without-aws-sdk',
      severity: 'error',
      comment: 'The core talks to AWS only through ports (core/ports.ts).',
      from: { path: CORE },
      to: { path: '(^|/)node_modules/(@aws-sdk|@aws-lambda-powertools|aws-cdk-lib|@smithy)/' },
    },
    {
      name: 'core-without-node-modules',
      severity: 'error',
      comment:
        'The core imports no node: module (fs, process, …) except the listed exceptions, each with its reason.',
      from: { path: CORE, pathNot: CORE_NODE_EXCEPTIONS.map((e) => e.file) },
      to: { dependencyTypes: ['core'] },
    },
    ...CORE_NODE_EXCEPTIONS.map((exception) => ({
      name: 'core-without-node-modules',
      severity: 'error',
      comment: `Known exception: ${exception.file} may import node:${exception.modules} only.`,
      from: { path: exception.file },
      to: { dependencyTypes: ['core'], pathNot: `^(node:)?(${exception.modules})$` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
