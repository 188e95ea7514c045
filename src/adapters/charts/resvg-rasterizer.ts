import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import type { ChartRasterizer } from '../../core/ports';
import { isWoff, woffToSfnt } from './woff-to-sfnt';

const FONT_FAMILY = 'DejaVu Sans';

// resvg-wasm 2.6 reads TTF/OTF and WOFF2 font buffers, and silently ignores WOFF (1) ones,
// and text in a family it does not have. The defaults are WOFF files unpacked to TTF once
// (see woff-to-sfnt.ts: WOFF2 is unpacked again by every chart). Regular for labels, bold
// for values.
const DEFAULT_FONT_FILES = [
  '@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff',
  '@fontsource/dejavu-sans/files/dejavu-sans-latin-700-normal.woff',
] as const;

const DEFAULT_WASM_FILE = '@resvg/resvg-wasm/index_bg.wasm';

/** Shared by every rasterizer in the process: resvg-wasm refuses a second `initWasm`. */
let wasmReady: Promise<void> | undefined;

function ensureWasm(loadWasm: () => Promise<Uint8Array>): Promise<void> {
  wasmReady ??= loadWasm()
    .then((wasm) => {
      // Baseline (Liftoff) code only. A run draws a handful of charts; V8's optimising
      // recompiles of resvg's hot functions cost more than they save, and a process waits
      // for them before it can exit: 0.5 s after the last chart of a run, measured.
      setFlagsFromString('--liftoff-only');
      return initWasm(wasm);
    })
    .catch((error: unknown) => {
      // Someone else in the process initialised the same module: it is ready to use.
      if (error instanceof Error && error.message.startsWith('Already initialized')) return;
      // Let a later call retry (resvg only marks itself initialised on success).
      wasmReady = undefined;
      throw error;
    });
  return wasmReady;
}

async function readPackageFile(specifier: string): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  return new Uint8Array(await readFile(require.resolve(specifier)));
}

/** Options for tests and bundles that ship the wasm and fonts somewhere other than `node_modules`. */
export interface ResvgRasterizerOptions {
  /**
   * The resvg wasm binary. Only the first rasterizer created in a process initialises the
   * module; later ones reuse it and ignore this.
   * @default `@resvg/resvg-wasm/index_bg.wasm`, read from `node_modules`
   */
  readonly wasm?: Uint8Array;
  /**
   * TTF, OTF, WOFF or WOFF2 font files; WOFF ones are unpacked to TTF once, here. Text in a
   * family missing from them is silently not drawn.
   * @default DejaVu Sans regular and bold (WOFF, Latin subset) from `@fontsource/dejavu-sans`
   */
  readonly fontBuffers?: Uint8Array[];
}

/**
 * A `ChartRasterizer` on resvg compiled to WebAssembly, chosen over the native
 * `@resvg/resvg-js` so the Lambda bundle carries no platform-specific binary (it runs the
 * same on x64, arm64 and a laptop). Fonts are passed in explicitly and system fonts are
 * never loaded, so a chart renders identically everywhere; the default family is
 * DejaVu Sans. Creating several rasterizers is fine: the wasm is initialised once.
 */
export async function createResvgRasterizer(options: ResvgRasterizerOptions = {}): Promise<ChartRasterizer> {
  const { wasm } = options;
  const [fontFiles] = await Promise.all([
    options.fontBuffers ?? Promise.all(DEFAULT_FONT_FILES.map(readPackageFile)),
    ensureWasm(async () => wasm ?? readPackageFile(DEFAULT_WASM_FILE)),
  ]);
  const fontBuffers = fontFiles.map((font) => (isWoff(font) ? woffToSfnt(font) : font));
  return {
    async toPng(svg: string, scale: number): Promise<Uint8Array> {
      if (!Number.isFinite(scale) || scale <= 0) {
        throw new RangeError(`scale must be a positive number, got ${scale}`);
      }
      const resvg = new Resvg(svg, {
        fitTo: { mode: 'zoom', value: scale },
        font: { fontBuffers, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
      });
      try {
        const image = resvg.render();
        try {
          return image.asPng();
        } finally {
          image.free();
        }
      } finally {
        resvg.free();
      }
    },
  };
}
