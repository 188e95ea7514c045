/**
 * Applies partial aggregates, in the order of their rows, to the per-client state of a
 * quarter. This is where "the first row keeps the id" is decided: a claim whose id hash is
 * already known is rejected as a repeat. Ids are remembered as numbered runs or 64-bit
 * hashes (claimed-ids.ts), so memory grows by bytes per row at most, never by strings.
 */

import { QuarterActivity } from '../client-state/quarter-activity';
import { U64Set } from '../collections/u64-set';
import type { DatasetName } from '../export-set/contract';
import { type DatedRows, mergeDatedRows } from '../export-set/dated-rows';
import { MAX_EXAMPLES, repeatedIdReason } from '../export-set/row-rules';
import { CLAIM_BLOCK, ClaimedIds } from './claimed-ids';
import type { InteractionTally } from './interaction-tally';
import {
  type Claims,
  firstExamples,
  IN_QUARTER,
  type PartialAggregate,
  type Position,
  type RejectionExample,
  SELF_SERVICE_OR_CESS,
} from './partial-aggregate';

export interface FoldedQuality {
  rows: number;
  rejected: number;
  examples: RejectionExample[];
  dated?: DatedRows;
}

const ID_COLUMN: Partial<Record<DatasetName, string>> = {
  interactions: 'interaction_id',
  surveys: 'response_id',
};

const decoder = new TextDecoder();

export class PartialFold {
  readonly activity: QuarterActivity;
  readonly quality = new Map<DatasetName, FoldedQuality>();
  private readonly seen = new Map<DatasetName, ClaimedIds>();
  /** Which claims of a block repeat an earlier id (reused). */
  private readonly repeated = new Uint8Array(CLAIM_BLOCK);
  private readonly lastPosition = new Map<DatasetName, Position>();
  /** Services in use per client as a bit mask while the catalog has at most 31 names; pairs after. */
  private serviceMasks: Int32Array | undefined;
  private servicePairs: U64Set | undefined;
  private readonly serviceIndex = new Map<string, number>();

  private readonly expectedRows = new Map<DatasetName, number>();

  constructor(clientCount: number) {
    this.activity = new QuarterActivity(clientCount);
  }

  /** Frees a dataset's id table once all its partials are folded: its bytes per row are no longer needed. */
  finishDataset(dataset: DatasetName): void {
    this.seen.delete(dataset);
  }

  /** Sizes a dataset's id table for about `rows` rows (before its first fold). */
  expect(dataset: DatasetName, rows: number): void {
    this.expectedRows.set(dataset, rows);
  }

  expects(dataset: DatasetName): boolean {
    return this.expectedRows.has(dataset);
  }

  /** Applies one partial. Partials of a dataset with claims must come in row order. */
  fold(partial: PartialAggregate): void {
    const quality = this.qualityOf(partial.dataset);
    quality.rows += partial.rows;
    quality.rejected += partial.rejected;
    if (partial.dated) addDated(quality, partial.dated);
    const examples = [...partial.examples];
    if (partial.claims) this.foldClaims(partial.dataset, partial.claims, quality, examples);
    if (partial.servicePairs) {
      const { client, service, names } = partial.servicePairs;
      const global = names.map((name) => this.serviceId(name));
      for (let i = 0; i < partial.servicePairs.length; i++) {
        const owner = client[i] as number;
        if (this.addServiceInUse(owner, global[service[i] as number] as number)) {
          (this.activity.servicesInUse[owner] as number)++;
        }
      }
    }
    if (partial.costs) {
      const { client, nanos } = partial.costs;
      for (let i = 0; i < partial.costs.length; i++) {
        const owner = client[i] as number;
        this.activity.addCost(owner < 0 ? undefined : owner, nanos[i] as bigint);
      }
    }
    if (examples.length > 0) quality.examples = firstExamples([...quality.examples, ...examples]);
  }

  /**
   * Applies interactions counted elsewhere: the distributed run's tally of a part, or what a
   * hash range's repeats take back (interaction-tally.ts), positions already in file order.
   */
  foldTally(tally: InteractionTally): void {
    const quality = this.qualityOf('interactions');
    quality.rows += tally.rows;
    quality.rejected += tally.rejected;
    if (tally.dated) addDated(quality, tally.dated);
    if (tally.examples.length > 0) quality.examples = firstExamples([...quality.examples, ...tally.examples]);
    const { client, selfService, assisted } = tally.counts;
    const { activity } = this;
    for (let i = 0; i < client.length; i++) {
      const owner = client[i] as number;
      if (!(owner >= 0 && owner < activity.clientCount)) {
        throw new RangeError(
          `an interactions tally counts client number ${owner}, but clients.csv has ${activity.clientCount} clients`,
        );
      }
      (activity.selfService[owner] as number) += selfService[i] as number;
      (activity.assisted[owner] as number) += assisted[i] as number;
    }
  }

  private foldClaims(
    dataset: DatasetName,
    claims: Claims,
    quality: FoldedQuality,
    examples: RejectionExample[],
  ): void {
    let seen = this.seen.get(dataset);
    if (!seen) {
      seen = new ClaimedIds(this.expectedRows.get(dataset) ?? 1024);
      this.seen.set(dataset, seen);
    }
    const first = claims.position[0];
    const last = this.lastPosition.get(dataset) ?? -1;
    if (first !== undefined && first <= last) {
      throw new Error(`partials of ${dataset} folded out of row order`);
    }
    const { activity } = this;
    const { client, flags, value } = claims;
    const repeated = this.repeated;
    // Earlier partials came first: once they hold MAX_EXAMPLES examples, no repeat here can join.
    let repeatExamples = quality.examples.length < MAX_EXAMPLES ? MAX_EXAMPLES : 0;
    for (let block = 0; block < claims.length; block += CLAIM_BLOCK) {
      const blockEnd = Math.min(block + CLAIM_BLOCK, claims.length);
      seen.claimBlock(claims, block, blockEnd, repeated);
      for (let i = block; i < blockEnd; i++) {
        if (repeated[i - block] === 1) {
          quality.rejected++;
          const at = claims.position[i] as number;
          if (repeatExamples-- > 0) {
            const id = decoder.decode(claims.idBytes.subarray(claims.idStart[i], claims.idEnd[i]));
            examples.push({
              position: at,
              reason: repeatedIdReason(ID_COLUMN[dataset] ?? 'id', id),
            });
          }
          continue;
        }
        const flag = flags[i] as number;
        if ((flag & IN_QUARTER) === 0) continue;
        const owner = client[i] as number;
        if (dataset === 'interactions') {
          if (flag & SELF_SERVICE_OR_CESS) (activity.selfService[owner] as number)++;
          else (activity.assisted[owner] as number)++;
        } else if (flag & SELF_SERVICE_OR_CESS) {
          activity.addCessMicroPoints(owner, value[i] as number);
        } else {
          activity.addNpsResponse(owner, value[i] as number);
        }
      }
    }
    if (claims.length > 0) this.lastPosition.set(dataset, claims.position[claims.length - 1] as number);
  }

  /** Records that `client` uses service `id`; true when that is new. */
  private addServiceInUse(client: number, id: number): boolean {
    if (this.servicePairs === undefined && id < 31) {
      this.serviceMasks ??= new Int32Array(this.activity.clientCount);
      const masks = this.serviceMasks;
      const bit = 1 << id;
      if ((masks[client] as number) & bit) return false;
      masks[client] = (masks[client] as number) | bit;
      return true;
    }
    if (this.servicePairs === undefined) {
      // A large catalog: move what the masks hold into pairs (client + 1, service + 1; never (0, 0)).
      const pairs = new U64Set(this.activity.clientCount * 2);
      this.serviceMasks?.forEach((mask, owner) => {
        for (let bit = 0; bit < 31; bit++) if (mask & (1 << bit)) pairs.add(owner + 1, bit + 1);
      });
      this.serviceMasks = undefined;
      this.servicePairs = pairs;
    }
    return this.servicePairs.add(client + 1, id + 1);
  }

  private serviceId(name: string): number {
    let id = this.serviceIndex.get(name);
    if (id === undefined) {
      id = this.serviceIndex.size;
      this.serviceIndex.set(name, id);
      this.activity.catalog.add(name);
    }
    return id;
  }

  private qualityOf(dataset: DatasetName): FoldedQuality {
    let quality = this.quality.get(dataset);
    if (!quality) {
      quality = { rows: 0, rejected: 0, examples: [] };
      this.quality.set(dataset, quality);
    }
    return quality;
  }
}

function addDated(quality: FoldedQuality, dated: DatedRows): void {
  quality.dated = quality.dated ? mergeDatedRows(quality.dated, dated) : dated;
}
