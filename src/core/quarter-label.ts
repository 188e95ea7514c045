/** A quarter as people and APIs write it, `2026-Q3`, checked at the edges (API bodies, events). */
import * as z from 'zod';
import { QUARTER_LABEL } from './quarter';

export const quarterLabelSchema = z.string().regex(QUARTER_LABEL, 'write the quarter like 2026-Q3');
