/**
 * A client of the simulated book and its service spans, as the book keeps them between
 * quarters (with their CSV rows cached while they do not change).
 */

/** A day that is not set: no end yet, not churned. */
export const NONE = -1;

export interface ServiceSpan {
  readonly service: number;
  readonly start: number;
  /** First day no longer in use, or NONE. */
  end: number;
  row: string | undefined;
}

export interface Client {
  readonly id: string;
  readonly since: number;
  /** First day no longer a customer, or NONE. */
  churnedOn: number;
  readonly product: number;
  readonly size: number;
  readonly industry: number;
  readonly region: number;
  /** Interaction volume multiplier (mean 1). */
  readonly activity: number;
  /** Personal lean towards (or away from) self-service, on the logit scale. */
  readonly shareNoise: number;
  /** Personal satisfaction, standard normal. */
  readonly satisfaction: number;
  /** Uses self-service at all. */
  adopted: boolean;
  readonly spans: ServiceSpan[];
  row: string | undefined;
}
