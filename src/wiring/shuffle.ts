/** The distributed run's `ShuffleStore` for each run: objects under the run's folder in the data root. */
import { StoreShuffle } from '../adapters/shuffle/store-shuffle';
import type { OpenShuffle } from '../core/aggregate/shuffle-store';
import type { ExportStore } from '../core/ports';
import { reportKeys } from '../use-cases/report-keys';

export function shuffleIn(store: ExportStore): OpenShuffle {
  return (quarter, runId) => new StoreShuffle(store, reportKeys.shuffle(quarter, runId));
}
