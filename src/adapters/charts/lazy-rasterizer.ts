import type { ChartRasterizer } from '../../core/ports';

/**
 * A `ChartRasterizer` that opens the real one on the first chart, not before: the resvg
 * module, its 2.4 MB wasm and the fonts are read only by a run that draws a chart (a run
 * that fails on its exports, or mails nobody, never pays for them). Concurrent first calls
 * share one opening; a failed opening is retried by the next call.
 */
export function createLazyRasterizer(open: () => Promise<ChartRasterizer>): ChartRasterizer {
  let opening: Promise<ChartRasterizer> | undefined;
  return {
    async toPng(svg: string, scale: number): Promise<Uint8Array> {
      opening ??= open().catch((error: unknown) => {
        opening = undefined;
        throw error;
      });
      return (await opening).toPng(svg, scale);
    },
  };
}
