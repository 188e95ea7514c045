/** A quarter as people and APIs write it, `2026-Q3`, checked at the edges (API bodies, events). */
import * as z from 'zod';

export const quarterLabelSchema = z.string().regex(/^\d{4}-Q[1-4]$/, 'write the quarter like 2026-Q3');
