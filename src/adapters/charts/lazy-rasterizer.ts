import type { ChartRasterizer } from '../../core/ports';

/**
 * A `ChartRasterizer` that opens the real one on the first chart, not before: the resvg
 * module, its 2.4 MB wasm and the fonts are read only by a run that draws a chart (a run
 * that fails on its exports, or mails nobody, never pays for them). Concurrent first calls
 * share one opening; a failed opening is retried by the next call.
 */
export function createLazyRasterizer(
  open: () => Promise<ChartRasterizer>,
): ChartRasterizer & { warmUp(): void } {
  let opening: Promise<ChartRasterizer> | undefined;
  const start = () => {
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
  return {
    async toPng(svg: string, scale: number): Promise<Uint8Array> {
      return (await start()).toPng(svg, scale);
    },
    /**
     * Starts loading and compiling the wasm now, without waiting: a run calls it before
     * reading the exports, so the compile overlaps the reading instead of following it.
     * A failure here is reported by the first `toPng`.
     */
    warmUp() {
      start().catch(() => {});
    },
  };
}
