/**
 * What the email says about each KPI beyond its number: the formula (from kpis.md, in
 * words an executive reads) and the levers that move it, listed with a risk warning.
 */
import type { KpiId } from '../../kpi-ids';

export interface KpiGuide {
  /** The definition in one line, as kpis.md states it. */
  readonly formula: string;
  /** Actions known to move the KPI the right way, most direct first. */
  readonly levers: readonly string[];
}

export const KPI_GUIDE: Record<KpiId, KpiGuide> = {
  clientIndependenceRate: {
    formula:
      'Served clients whose self-service share of their interactions in the quarter is at least the independence threshold ÷ clients with at least one interaction × 100.',
    levers: [
      'Route the most frequent assisted requests to self-service guides and flows.',
      'Close knowledge-base gaps revealed by repeated assisted contacts.',
      'Coach heavy assisted users on the self-service tools during check-ins.',
    ],
  },
  selfServiceAdoptionRate: {
    formula:
      'Active clients with at least one self-service interaction in the quarter ÷ active clients × 100.',
    levers: [
      'Introduce the portal during onboarding, with a first task completed together.',
      'Make self-service the default entry point in support emails and phone menus.',
      'Target inactive accounts with short in-product prompts.',
    ],
  },
  relationshipDepth: {
    formula:
      'Distinct services in use during the quarter, summed over active clients ÷ active clients (also shown as a share of the service catalog).',
    levers: [
      'Review single-service clients in account plans for the next natural service.',
      'Bundle complementary services at renewal.',
      'Share usage results that show the value of adjacent services.',
    ],
  },
  empowermentSatisfactionScore: {
    formula: 'Mean over the quarter’s CESS responses of score ÷ scale maximum × 100.',
    levers: [
      'Follow up on low CESS responses within a week and close the loop.',
      'Fix the self-service steps respondents name most often.',
      'Offer short training on the tools clients find hardest.',
    ],
  },
  netPromoterScore: {
    formula:
      '(Responses of 9–10 − responses of 0–6) ÷ all NPS responses in the quarter × 100, from −100 to 100.',
    levers: [
      'Call every detractor within two weeks and track the fixes.',
      'Turn promoters into references and case studies.',
      'Address the top complaint themes in the next release or process change.',
    ],
  },
  customerRetentionRate: {
    formula:
      'Clients who were customers at the start of the quarter and still are at its end ÷ customers at the start × 100.',
    levers: [
      'Run health checks on accounts with falling usage or low satisfaction.',
      'Start renewal conversations at least a quarter before the date.',
      'Escalate unresolved issues of at-risk accounts to a named owner.',
    ],
  },
  costToSupportPerClient: {
    formula:
      'All support costs in the quarter ÷ active clients. Segment figures spread unassigned costs over clients by their assisted interactions.',
    levers: [
      'Deflect repeat assisted contacts to self-service content.',
      'Fix the product issues behind the most frequent tickets.',
      'Match staffing to contact volumes by channel and hour.',
    ],
  },
};
