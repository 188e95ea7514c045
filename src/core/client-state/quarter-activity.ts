/**
 * What one quarter's events add up to, per client: interaction counts by channel, services
 * in use, survey sums and support costs. Every field is a count or an exact integer sum
 * (CESS in millionths of a point, money in nanos), so the totals are the same whatever
 * the row order, and two partial activities merge by addition.
 */

export class QuarterActivity {
  readonly selfService: Int32Array;
  readonly assisted: Int32Array;
  /** Number of distinct services in use during the quarter, per client. */
  readonly servicesInUse: Int32Array;
  private readonly serviceSets: (Set<string> | undefined)[] = [];
  /** Distinct `service` values of every valid services.csv row, in or out of the quarter. */
  readonly catalog = new Set<string>();
  /** Sum of score / scale_max × 100 × 10⁶, rounded per response. */
  readonly cessMicroPoints: Float64Array;
  /**
   * Sum of squares of the responses in hundredths of a point (each rounded first), for the
   * spread of CESS: integers, so the sum is exact and order-independent up to 9·10⁷ responses.
   */
  readonly cessSquaredCentipoints: Float64Array;
  readonly cessResponses: Int32Array;
  readonly promoters: Int32Array;
  readonly detractors: Int32Array;
  readonly npsResponses: Int32Array;
  /** Costs in the quarter attributed to each client, in nanos. */
  /** Only clients with a cost: most have none, and a bigint per client would cost 8 bytes each. */
  readonly directCostNanos = new Map<number, bigint>();
  /** Costs in the quarter without a client, in nanos. */
  poolNanos = 0n;

  constructor(readonly clientCount: number) {
    this.selfService = new Int32Array(clientCount);
    this.assisted = new Int32Array(clientCount);
    this.servicesInUse = new Int32Array(clientCount);
    this.cessMicroPoints = new Float64Array(clientCount);
    this.cessSquaredCentipoints = new Float64Array(clientCount);
    this.cessResponses = new Int32Array(clientCount);
    this.promoters = new Int32Array(clientCount);
    this.detractors = new Int32Array(clientCount);
    this.npsResponses = new Int32Array(clientCount);
  }

  addInteraction(client: number, channel: 'self_service' | 'assisted'): void {
    if (channel === 'self_service') (this.selfService[client] as number)++;
    else (this.assisted[client] as number)++;
  }

  addServiceInUse(client: number, service: string): void {
    let services = this.serviceSets[client];
    if (services === undefined) {
      services = new Set();
      this.serviceSets[client] = services;
    }
    if (services.has(service)) return;
    services.add(service);
    (this.servicesInUse[client] as number)++;
  }

  addCessResponse(client: number, score: number, scaleMax: number): void {
    this.addCessMicroPoints(client, cessMicroPoints(score, scaleMax));
  }

  addCessMicroPoints(client: number, microPoints: number): void {
    (this.cessMicroPoints[client] as number) += microPoints;
    const centipoints = Math.round(microPoints / 1e4);
    (this.cessSquaredCentipoints[client] as number) += centipoints * centipoints;
    (this.cessResponses[client] as number)++;
  }

  addNpsResponse(client: number, score: number): void {
    if (score >= 9) (this.promoters[client] as number)++;
    else if (score <= 6) (this.detractors[client] as number)++;
    (this.npsResponses[client] as number)++;
  }

  addCost(client: number | undefined, nanos: bigint): void {
    if (client === undefined) this.poolNanos += nanos;
    else this.directCostNanos.set(client, (this.directCostNanos.get(client) ?? 0n) + nanos);
  }
}

/** One CESS response in millionths of a point, rounded: exact and order-independent to sum. */
export function cessMicroPoints(score: number, scaleMax: number): number {
  return Math.round((score / scaleMax) * 100 * 1e6);
}
