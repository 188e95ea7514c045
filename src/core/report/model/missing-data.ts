/**
 * What the email says first when data is missing: each optional export not provided this
 * quarter and the KPIs it leaves without a value, and any company KPI that has nothing to
 * count. The table then says "not available" in those rows, never "0 responses".
 */
import { KPI_DEFINITIONS, KPI_IDS } from '../../kpi-ids';
import type { Snapshot } from '../../snapshot';
import { basisText, KPI_DATASET } from './kpi-text';

export interface MissingDataModel {
  /** `surveys.csv`, or the KPI's name when its dataset is there but has nothing to count. */
  readonly subject: string;
  /** `Client Empowerment Satisfaction Score and Net Promoter Score` */
  readonly kpis: string;
  /** The whole sentence. */
  readonly text: string;
}

export function missingData(snapshot: Snapshot): MissingDataModel[] {
  const missing: MissingDataModel[] = [];
  for (const dataset of ['services', 'surveys', 'support_costs'] as const) {
    if (snapshot.dataQuality[dataset].present) continue;
    const names = KPI_IDS.filter((id) => KPI_DATASET[id] === dataset).map((id) => KPI_DEFINITIONS[id].name);
    const kpis = listInWords(names);
    missing.push({
      subject: `${dataset}.csv`,
      kpis,
      text: `${dataset}.csv was not provided for ${snapshot.quarter}, so ${kpis} ${names.length === 1 ? 'is' : 'are'} not available.`,
    });
  }
  for (const id of KPI_IDS) {
    const result = snapshot.kpis[id];
    const dataset = KPI_DATASET[id];
    if (result.value !== null || (dataset !== undefined && !snapshot.dataQuality[dataset].present)) continue;
    const name = KPI_DEFINITIONS[id].name;
    missing.push({
      subject: name,
      kpis: name,
      text: `${name} is ${basisText(id, result, snapshot)}.`,
    });
  }
  return missing;
}

/** `A`, `A and B`, `A, B and C`. */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
