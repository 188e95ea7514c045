/**
 * The layer rules, checked by `npm test` (`npm run layers`). The layers, inner to outer:
 * src/core (pure: the contract, reading, KPIs, the report) ← src/adapters (one folder per
 * technology) ← src/use-cases ← src/wiring ← the shells (src/cli, src/demo, src/api, functions/) ←
 * infra/. An arrow may only point inward. README "Architecture" draws the same picture.
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
 * `node:` modules the core uses today, each where a rule of its own says why. Each is a
 * known exception that issue 15's step 1 (readers and codecs into adapters) removes;
 * anything new in the core needs a port instead.
 */
const CORE_NODE_EXCEPTIONS = [
  // Stream reading, gunzip and the file hash are adapter work still in the core's CSV reader.
  { file: 'src/core/csv/read-csv-file\\.ts$', modules: 'stream|zlib|crypto' },
  // isUtf8 checks a row's bytes without decoding them; the byte readers need it per row.
  {
    file: 'src/core/(csv/csv-tokenizer|fast/chunk-reader|fast/clients-reader)\\.ts$',
    modules: 'buffer',
  },
];

/**
 * Folder cycles inside the core that exist today (issue 15's step 1 removes them, by a
 * leaf for collections, an export-set layer below both readers and the partial format's
 * types owned by aggregate/): fast/ ↔ ingest/ (ingest/id-hash-set.ts uses fast/'s hashing)
 * and fast/ ↔ aggregate/ (aggregate/ uses fast/u64-set.ts and the fast reader's types). aggregate/ → ingest/ (QuarterActivity) points the right way and
 * is in a cycle only through ingest/ → fast/. No other folder cycle is allowed.
 */
const KNOWN_FOLDER_CYCLES = {
  'src/core/fast': '^src/core/(ingest|aggregate)$',
  'src/core/ingest': '^src/core/fast$',
  'src/core/aggregate': '^src/core/(fast|ingest)$',
};

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
const READING_SIDE = '^src/core/(readers|ingest|fast|aggregate|csv|collections|client-state)/';

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
      comment: 'Folders of the core depend one way; the known exceptions are listed below.',
      scope: 'folder',
      from: { path: '^src/core', pathNot: Object.keys(KNOWN_FOLDER_CYCLES).map((f) => `^${f}$`) },
      to: { circular: true },
    },
    ...Object.entries(KNOWN_FOLDER_CYCLES).map(([folder, allowed]) => ({
      name: 'no-folder-cycle-in-core',
      severity: 'error',
      comment: `Known exception: ${folder} in a cycle with ${allowed}; no other.`,
      scope: 'folder',
      from: { path: `^${folder}$` },
      to: { circular: true, pathNot: allowed },
    })),
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
