/** The seven KPIs, in the order reports present them (kpis.md). */
export const KPI_IDS = [
  'clientIndependenceRate',
  'selfServiceAdoptionRate',
  'relationshipDepth',
  'empowermentSatisfactionScore',
  'netPromoterScore',
  'customerRetentionRate',
  'costToSupportPerClient',
] as const;

export type KpiId = (typeof KPI_IDS)[number];

export type KpiUnit = 'percent' | 'servicesPerClient' | 'score' | 'currencyPerClient';

export interface KpiDefinition {
  readonly id: KpiId;
  readonly name: string;
  readonly unit: KpiUnit;
  /** Whether a higher value is better (false only for cost). */
  readonly higherIsBetter: boolean;
}

export const KPI_DEFINITIONS: Record<KpiId, KpiDefinition> = {
  clientIndependenceRate: {
    id: 'clientIndependenceRate',
    name: 'Client Independence Rate',
    unit: 'percent',
    higherIsBetter: true,
  },
  selfServiceAdoptionRate: {
    id: 'selfServiceAdoptionRate',
    name: 'Customer Self-Service Adoption Rate',
    unit: 'percent',
    higherIsBetter: true,
  },
  relationshipDepth: {
    id: 'relationshipDepth',
    name: 'Client Relationship Depth',
    unit: 'servicesPerClient',
    higherIsBetter: true,
  },
  empowermentSatisfactionScore: {
    id: 'empowermentSatisfactionScore',
    name: 'Client Empowerment Satisfaction Score',
    unit: 'percent',
    higherIsBetter: true,
  },
  netPromoterScore: {
    id: 'netPromoterScore',
    name: 'Net Promoter Score',
    unit: 'score',
    higherIsBetter: true,
  },
  customerRetentionRate: {
    id: 'customerRetentionRate',
    name: 'Customer Retention Rate',
    unit: 'percent',
    higherIsBetter: true,
  },
  costToSupportPerClient: {
    id: 'costToSupportPerClient',
    name: 'Cost to Support',
    unit: 'currencyPerClient',
    higherIsBetter: false,
  },
};
