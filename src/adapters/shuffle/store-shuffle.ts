/**
 * The `ShuffleStore` of one distributed run, as objects under the run's folder in the data
 * root (`reports/runs/<quarter>/<runId>/shuffle/`, any `ExportStore`: S3 or a directory):
 *
 *   plan.json                                   the plan (JSON, for people to read too)
 *   parts/<part>/claims/<attempt>/<range>-<piece>.claims   claims pieces (claims-codec.ts)
 *   parts/<part>/pieces.json                    where a part's claims went
 *   parts/<part>/tally.bin                      a part's tally and provenance
 *   ranges/<range>.bin                          a range's repeats
 *
 * `<part>` is the part's number in the plan, so names never depend on what a file is called.
 * Tallies are V8's structured-clone format (typed arrays stay as they are); everything read
 * back is checked with zod, so an object of another format or a damaged one fails naming
 * its key.
 */
import { deserialize, serialize } from 'node:v8';
import * as z from 'zod';
import type { Claims } from '../../core/aggregate/partial-aggregate';
import type {
  MappedPart,
  PartPieces,
  ResolvedRange,
  ShufflePlan,
  ShuffleStore,
} from '../../core/aggregate/shuffle-store';
import { type ExportStore, ObjectNotFoundError } from '../../core/ports';
import { decodeClaims, encodeClaims } from './claims-codec';

const PLAN_FORMAT = 'kpi-report/shuffle-plan/1';
const PIECES_FORMAT = 'kpi-report/part-pieces/1';
const PART_FORMAT = 'kpi-report/mapped-part/2';
const RANGE_FORMAT = 'kpi-report/resolved-range/1';

const count = z.number().int().nonnegative();

const planSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  quarter: z.string(),
  ranges: z.number().int().positive(),
  pieceClaims: z.number().int().positive(),
  parts: z.array(z.object({ key: z.string().min(1), size: count, etag: z.string().optional() })),
});

const piecesSchema = z
  .object({
    format: z.literal(PIECES_FORMAT),
    attempt: z.string().min(1),
    ranges: z.number().int().positive(),
    clientCount: count,
    pieces: z.array(count),
    claims: z.array(count),
  })
  .refine((value) => value.pieces.length === value.ranges && value.claims.length === value.ranges, {
    message: 'pieces and claims must list one count per range',
  });

const countsSchema = z
  .object({
    client: z.instanceof(Int32Array),
    selfService: z.instanceof(Int32Array),
    assisted: z.instanceof(Int32Array),
  })
  .refine(
    (value) =>
      value.selfService.length === value.client.length && value.assisted.length === value.client.length,
    { message: 'client, selfService and assisted must be as long as one another' },
  );

const tallySchema = z.object({
  rows: count,
  rejected: count,
  examples: z.array(z.object({ position: z.number().nonnegative(), reason: z.string() })),
  counts: countsSchema,
  // Days as day numbers; ±Infinity while there is none (structured clone keeps them).
  dated: z.object({ rows: count, inPeriod: count, first: z.number(), last: z.number() }).optional(),
});

const partSchema = z.object({
  format: z.literal(PART_FORMAT),
  key: z.string().min(1),
  tally: tallySchema,
  provenance: z.object({
    file: z.string(),
    bytes: count,
    sha256: z.string(),
    rows: count,
    etag: z.string().optional(),
    versionId: z.string().optional(),
  }),
  clientsSha256: z.array(z.string()),
});

const rangeSchema = z.object({
  format: z.literal(RANGE_FORMAT),
  range: count,
  ranges: z.number().int().positive(),
  claims: count,
  repeats: tallySchema,
});

/** An object the run wrote that cannot be read back as what its key says it is. */
export class ShuffleObjectError extends Error {
  override readonly name = 'ShuffleObjectError';
}

const pad = (value: number, digits: number) => String(value).padStart(digits, '0');

export class StoreShuffle implements ShuffleStore {
  /** `folder`: the run's shuffle folder under the data root, ending in `/`. */
  constructor(
    private readonly store: ExportStore,
    private readonly folder: string,
  ) {}

  writePlan(plan: ShufflePlan): Promise<void> {
    const json = JSON.stringify({ format: PLAN_FORMAT, ...plan }, null, 2);
    return this.store.write(this.key('plan.json'), json, 'application/json');
  }

  async readPlan(): Promise<ShufflePlan | undefined> {
    const key = this.key('plan.json');
    const text = await this.store.readText(key);
    return text === undefined
      ? undefined
      : parse(this.where(key), planSchema, parseJson(this.where(key), text));
  }

  writePiece(part: number, attempt: string, range: number, piece: number, claims: Claims): Promise<void> {
    const bytes = encodeClaims(claims);
    return this.store.write(this.pieceKey(part, attempt, range, piece), bytes, 'application/octet-stream');
  }

  async readPiece(part: number, pieces: PartPieces, range: number, piece: number): Promise<Claims> {
    const key = this.pieceKey(part, pieces.attempt, range, piece);
    const bytes = await this.readBytes(key);
    if (bytes === undefined) throw new ShuffleObjectError(`${this.where(key)} is missing`);
    try {
      return decodeClaims(bytes, part, pieces.clientCount);
    } catch (error) {
      throw new ShuffleObjectError(
        `${this.where(key)} is not a readable claims piece: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  writePieces(part: number, pieces: PartPieces): Promise<void> {
    const json = JSON.stringify({ format: PIECES_FORMAT, ...pieces });
    return this.store.write(this.partKey(part, 'pieces.json'), json, 'application/json');
  }

  async readPieces(part: number): Promise<PartPieces | undefined> {
    const key = this.partKey(part, 'pieces.json');
    const text = await this.store.readText(key);
    return text === undefined
      ? undefined
      : parse(this.where(key), piecesSchema, parseJson(this.where(key), text));
  }

  writePart(part: number, mapped: MappedPart): Promise<void> {
    const bytes = serialize({ format: PART_FORMAT, ...mapped });
    return this.store.write(this.partKey(part, 'tally.bin'), bytes, 'application/octet-stream');
  }

  async readPart(part: number): Promise<MappedPart | undefined> {
    return this.readSerialized(this.partKey(part, 'tally.bin'), partSchema);
  }

  writeRange(resolved: ResolvedRange): Promise<void> {
    const bytes = serialize({ format: RANGE_FORMAT, ...resolved });
    return this.store.write(this.rangeKey(resolved.range), bytes, 'application/octet-stream');
  }

  async readRange(range: number): Promise<ResolvedRange | undefined> {
    return this.readSerialized(this.rangeKey(range), rangeSchema);
  }

  private key(name: string): string {
    return `${this.folder}${name}`;
  }

  private partKey(part: number, name: string): string {
    return this.key(`parts/${pad(part, 5)}/${name}`);
  }

  private pieceKey(part: number, attempt: string, range: number, piece: number): string {
    const segment = attempt.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
    return this.partKey(part, `claims/${segment}/${pad(range, 4)}-${pad(piece, 6)}.claims`);
  }

  private rangeKey(range: number): string {
    return this.key(`ranges/${pad(range, 4)}.bin`);
  }

  private where(key: string): string {
    return `${this.store.location}/${key}`;
  }

  private async readSerialized<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const bytes = await this.readBytes(key);
    if (bytes === undefined) return undefined;
    let value: unknown;
    try {
      value = deserialize(bytes);
    } catch (error) {
      throw new ShuffleObjectError(`${this.where(key)} is not readable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parse(this.where(key), schema, value);
  }

  private async readBytes(key: string): Promise<Uint8Array | undefined> {
    const pieces: Uint8Array[] = [];
    try {
      for await (const piece of this.store.read(key)) pieces.push(piece);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return undefined;
      throw error;
    }
    return pieces.length === 1 ? (pieces[0] as Uint8Array) : Buffer.concat(pieces);
  }
}

function parseJson(where: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShuffleObjectError(`${where} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

function parse<T>(where: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || '(the object)'}: ${issue.message}`,
  );
  throw new ShuffleObjectError(
    `${where} is not what the distributed run wrote there: ${problems.join('; ')}`,
  );
}
