import { describe, expect, it, vi } from 'vitest';
import { createLazyRasterizer } from '../../../src/adapters/charts/lazy-rasterizer';
import type { ChartRasterizer } from '../../../src/core/ports';

const fakeRasterizer = (): ChartRasterizer => ({
  toPng: async (svg, scale) => new TextEncoder().encode(`${scale}:${svg}`),
});

describe('createLazyRasterizer', () => {
  it('opens nothing until the first chart, then opens once for every chart, concurrent ones included', async () => {
    // Arrange
    const open = vi.fn(async () => fakeRasterizer());

    // Act
    const rasterizer = createLazyRasterizer(open);
    const openedBeforeUse = open.mock.calls.length;
    const pngs = await Promise.all([rasterizer.toPng('<a/>', 2), rasterizer.toPng('<b/>', 1)]);
    await rasterizer.toPng('<c/>', 2);

    // Assert
    expect(openedBeforeUse).toBe(0);
    expect(open).toHaveBeenCalledTimes(1);
    expect(pngs.map((png) => new TextDecoder().decode(png))).toEqual(['2:<a/>', '1:<b/>']);
  });

  it('reports a failed opening to the chart that asked, and opens again for the next one', async () => {
    // Arrange
    const open = vi
      .fn<() => Promise<ChartRasterizer>>()
      .mockRejectedValueOnce(new Error('no wasm'))
      .mockResolvedValue(fakeRasterizer());
    const rasterizer = createLazyRasterizer(open);

    // Act
    const first = rasterizer.toPng('<a/>', 1);

    // Assert
    await expect(first).rejects.toThrow('no wasm');
    expect(new TextDecoder().decode(await rasterizer.toPng('<a/>', 1))).toBe('1:<a/>');
    expect(open).toHaveBeenCalledTimes(2);
  });
});
