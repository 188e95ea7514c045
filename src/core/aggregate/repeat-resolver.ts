/**
 * The range step of the distributed run: the claims of one hash range from every part, in
 * file order, go through the same fold as a single pass (so "the first row keeps the id" and
 * the repeat's reason are decided in one place, `PartialFold`); what the repeats take
 * back is what the parts counted (every row keeping its id) minus what the fold kept.
 * Memory grows with the range's claims (an 8-byte hash each in the id table), not the parts'.
 */
import { PartialFold } from './fold-partials';
import { countInQuarter, type InteractionTally, listClientCounts } from './interaction-tally';
import type { Claims } from './partial-aggregate';

export class RepeatResolver {
  private readonly folder: PartialFold;
  /** Every in-quarter claim added, as if each kept its id (as the parts counted them). */
  private readonly selfService: Int32Array;
  private readonly assisted: Int32Array;

  /** `expectedClaims`: the range's claims in all parts, to size the id table once. */
  constructor(clientCount: number, expectedClaims: number) {
    this.folder = new PartialFold(clientCount);
    this.folder.expect('interactions', expectedClaims);
    this.selfService = new Int32Array(clientCount);
    this.assisted = new Int32Array(clientCount);
  }

  /** The range's claims, in file order across parts, with positions in the whole dataset. */
  add(claims: Claims): void {
    this.folder.fold({ dataset: 'interactions', rows: 0, rejected: 0, examples: [], claims });
    countInQuarter(claims, this.selfService, this.assisted);
  }

  /** The repeats: rejected rows with the first examples, and the counts they take back. */
  result(): InteractionTally {
    const quality = this.folder.quality.get('interactions');
    const kept = this.folder.activity;
    for (let owner = 0; owner < this.selfService.length; owner++) {
      (this.selfService[owner] as number) -= kept.selfService[owner] as number;
      (this.assisted[owner] as number) -= kept.assisted[owner] as number;
    }
    return {
      rows: 0,
      rejected: quality?.rejected ?? 0,
      examples: quality?.examples ?? [],
      counts: listClientCounts(this.selfService, this.assisted, -1),
    };
  }
}
