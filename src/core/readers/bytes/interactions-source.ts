/**
 * Where the bytes reader takes the interactions from. By default (`INTERACTIONS_FROM_FILES`)
 * it reads every interactions file and folds their partial aggregates itself. The distributed
 * mode's steps plug in their own source (use-cases/measure-part.ts, distributed-run.ts): the
 * map step reads one part and hands its partials on; the reduce step folds what the map and
 * range steps tallied instead of reading the files.
 */
import type { PartialFold } from '../../aggregate/fold-partials';
import type { InteractionTally } from '../../aggregate/interaction-tally';
import type { PartialAggregate } from '../../aggregate/partial-aggregate';
import type { DatasetQuality, FileProvenance } from '../../export-set/dataset-quality';
import type { DiscoveredFile } from '../../export-set/discover-export-set';

export interface InteractionsSource {
  /** Whether services, surveys and support costs are read too (the map step reads none). Default true. */
  readonly withOtherDatasets?: boolean;
  /**
   * The interactions to fold. `files`: the interactions files listed; `clients`: the
   * clients.csv files as this reading read them (to check the map steps read the same).
   */
  take(files: readonly DiscoveredFile[], clients: readonly FileProvenance[]): InteractionsToFold;
}

export type InteractionsToFold =
  /**
   * Read these files. With `collect`, each chunk's partial goes there (with the number of
   * clients), in row order, instead of into the fold; the next chunk waits for its promise.
   */
  | {
      readonly files: readonly DiscoveredFile[];
      readonly collect?: (partial: PartialAggregate, clientCount: number) => Promise<void> | void;
    }
  /** Read no interactions file: fold these tallies instead. */
  | { readonly tallies: MappedInteractions };

/** Every interactions file, read and folded here. */
export const INTERACTIONS_FROM_FILES: InteractionsSource = { take: (files) => ({ files }) };

/**
 * What the distributed run's steps made of the interactions files, in this order: each
 * part's tally and provenance, in file order (positions of the part alone), then what each
 * hash range's repeats take back (positions in the dataset). A problem ends the reading.
 */
export type MappedInteractions = AsyncIterable<
  | { readonly part: { readonly tally: InteractionTally; readonly provenance: FileProvenance } }
  | { readonly repeats: InteractionTally }
  | { readonly problem: string }
>;

/** Folds the parts' tallies in file order, as if the parts had been read, then the repeats. */
export async function foldTallies(
  files: readonly DiscoveredFile[],
  mapped: MappedInteractions,
  fold: PartialFold,
  quality: DatasetQuality,
): Promise<string[]> {
  let fileIndex = 0;
  for await (const item of mapped) {
    if ('problem' in item) return [item.problem];
    if ('repeats' in item) {
      fold.foldTally(item.repeats);
      continue;
    }
    // The map step read the part as the dataset's only file: give its rows this file's place.
    const shift = fileIndex * 2 ** 32;
    const { tally, provenance } = item.part;
    const examples = tally.examples.map((example) => ({ ...example, position: example.position + shift }));
    fold.foldTally({ ...tally, examples });
    quality.rows += tally.rows;
    quality.files.push(provenance);
    fileIndex++;
  }
  if (fileIndex !== files.length) {
    throw new Error(
      `the distributed run tallied ${fileIndex} interactions parts, not the ${files.length} listed`,
    );
  }
  return [];
}
