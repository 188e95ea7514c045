/**
 * The book's segments and services, and how each leans: offsets on the logit of a client's
 * self-service share, churn and join rates, survey leanings and each product's appetite for
 * each service when cross-selling. Arrays are indexed like `PRODUCTS`, `SIZES`, `REGIONS`.
 */
import { WeightedTable } from '../prng';

// Segments. Offsets are on the logit of a client's self-service share, and so on.
export const PRODUCTS = ['Analytics', 'Payments', 'Platform'] as const;
export const SIZES = ['SMB', 'Mid-Market', 'Enterprise'] as const;
export const INDUSTRIES = [
  'Retail',
  'Finance',
  'Healthcare',
  'Manufacturing',
  'Public Sector',
  'Public Sector, Federal',
  '',
] as const;
export const REGIONS = ['EMEA', 'NA', 'APAC', 'LATAM'] as const;

export const SIZE_WEIGHTS = [55, 30, 15];
export const SIZE_TABLE = new WeightedTable(SIZE_WEIGHTS);
export const INDUSTRY_TABLE = new WeightedTable([25, 22, 18, 17, 9, 3, 6]);
export const REGION_TABLE = new WeightedTable([35, 40, 17, 8]);

export const SHARE_BASE_LOGIT = 0.8;
export const SHARE_TREND_PER_QUARTER = 0.15;
export const SHARE_NEW_CLIENT = -0.7;
export const SHARE_BY_SIZE = [0.3, -0.3, -1.0];
export const SHARE_BY_PRODUCT = [0.3, 0, -0.3];
export const SHARE_BY_REGION = [0, 0.1, 0.25, -0.45];

export const ADOPTED_AT_START_BY_SIZE = [0.62, 0.52, 0.38];
export const ADOPTION_HAZARD_BY_SIZE = [1.2, 1.0, 0.7];
/** Share of active clients with no interaction at all in a quarter. */
export const DORMANT_SHARE = 0.06;
/**
 * Interaction volume by size, scaled so that an active client averages `interactionsPerClient`
 * over a full quarter, dormant clients included.
 */
export const INTERACTIONS_BY_SIZE = ((relative: number[]) => {
  const mean = relative.reduce((sum, value, i) => sum + value * (SIZE_WEIGHTS[i] ?? 0), 0) / 100;
  return relative.map((value) => value / mean / (1 - DORMANT_SHARE));
})([0.7, 1.1, 2.0]);

export const CHURN_BY_SIZE = [0.05, 0.03, 0.015];
export const JOIN_RATE = 0.055;

export const CESS_BY_SIZE = [3, 0, -4];
export const NPS_BY_SIZE = [-0.2, 0, 0.4];
export const NPS_BY_PRODUCT = [0, -0.3, 0.3];

// Services: the catalog, and each product's appetite for each service when cross-selling.
export const SERVICES = [
  'onboarding',
  'training',
  'reporting',
  'api-access',
  'advisory',
  'integrations',
] as const;
export const ONBOARDING = 0;
export const TRAINING = 1;
export const REPORTING = 2;
export const API_ACCESS = 3;
export const ADVISORY = 4;
export const INTEGRATIONS = 5;
export const CROSS_SELL_WEIGHTS: readonly (readonly number[])[] = [
  [0, 2, 1, 1, 1.5, 1], // Analytics
  [0, 1.5, 2, 1, 1, 1.5], // Payments
  [0, 1, 1.5, 1, 1, 2.5], // Platform
];
export const ADVISORY_BY_SIZE = [0.5, 1.5, 3];
export const CROSS_SELL_BY_SIZE = [0.7, 1.0, 1.5];
export const CROSS_SELL_BY_PRODUCT = [1.0, 0.85, 1.4];
export const CROSS_SELL_BASE = 0.12;
export const DROP_HAZARD = 0.025;
