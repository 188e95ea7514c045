/**
 * What a run's deliveries make of its status: `failed` when SES rejected a recipient for
 * good (someone must act: verify the sender or the address), `partial` when some were not
 * served for reasons a retry may fix, else `succeeded`; with the recipients not served and
 * why, and those whose message may have been a second copy (`uncertain`). This is what
 * `status.json` and the API say; addresses stay there, out of logs.
 */
import type { DeliverReportResult } from './deliver-report';

export interface DeliveriesSummary {
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly deliveries: {
    readonly sent: number;
    readonly alreadySent: number;
    readonly unserved: { recipient: string; reason?: string | undefined; permanent?: boolean | undefined }[];
    readonly uncertain: { recipient: string; earlierRunId: string; since: string; reason: string }[];
  };
  /** For a failed run: what failed, in a sentence. */
  readonly error?: string;
}

export function summariseDeliveries(delivery: DeliverReportResult): DeliveriesSummary {
  const { outcomes, unserved } = delivery;
  const rejected = unserved.filter((outcome) => outcome.status === 'failed' && outcome.permanent === true);
  const deliveries = {
    sent: outcomes.filter((outcome) => outcome.status === 'sent').length,
    alreadySent: outcomes.filter((outcome) => outcome.status === 'already-sent').length,
    unserved: unserved.map(({ recipient, reason, permanent }) => ({
      recipient,
      reason,
      ...(permanent !== undefined && { permanent }),
    })),
    uncertain: outcomes.flatMap(({ recipient, uncertain }) =>
      uncertain === undefined ? [] : [{ recipient, ...uncertain }],
    ),
  };
  if (rejected.length > 0) {
    return {
      status: 'failed',
      deliveries,
      error: `SES rejected ${rejected.length} of ${outcomes.length} recipients for good (see deliveries.unserved): verify the sender identity and the addresses, then run again`,
    };
  }
  return { status: unserved.length === 0 ? 'succeeded' : 'partial', deliveries };
}
