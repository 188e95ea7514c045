/**
 * `surveys.csv`: CESS and NPS answers of active clients, on the scales exports mix.
 */
import type { Prng } from '../prng';
import { planBadRows } from './bad-rows';
import { quarterOrdinal } from './calendar';
import { type ActiveClient, type Context, type QuarterFrame, STREAM_SURVEYS } from './context';
import { writeSmallDataset } from './dataset-file';
import { moment } from './moment';
import { clamp } from './numbers';
import { CESS_BY_SIZE, NPS_BY_PRODUCT, NPS_BY_SIZE } from './segments';
import { pad } from './text';
import type { Trend } from './trend';

export async function writeSurveys(
  context: Context,
  frame: QuarterFrame,
  active: readonly ActiveClient[],
  trend: Trend,
  bad: Prng,
): Promise<void> {
  const rng = context.rng(quarterOrdinal(frame.quarter), STREAM_SURVEYS);
  const prefix = `R${frame.label.replace('-', '')}-`;
  const lines: string[] = [];
  const next = (entry: ActiveClient): string => {
    const day = entry.from + rng.int(entry.to - entry.from + 1);
    return `${prefix}${pad(lines.length + 1, 6)},${entry.client.id},${moment(rng, frame, day)}`;
  };
  for (const entry of active) {
    const client = entry.client;
    const enterprise = client.size === 2;
    const lean = entry.share - 0.5;
    const responses = rng.chance(enterprise ? 0.45 : 0.28) ? (rng.chance(0.2) ? 2 : 1) : 0;
    for (let i = 0; i < responses; i++) {
      const percent = clamp(
        Math.round(
          70 +
            trend.cessShift +
            10 * lean +
            (CESS_BY_SIZE[client.size] ?? 0) +
            6 * client.satisfaction +
            12 * rng.normal(),
        ),
        0,
        100,
      );
      const label = rng.chance(0.02) ? 'CESS' : 'cess';
      const scale = rng.next();
      if (scale < 0.75) lines.push(`${next(entry)},${label},${percent},`);
      else if (scale < 0.8) lines.push(`${next(entry)},${label},${percent},100`);
      else if (scale < 0.92) lines.push(`${next(entry)},${label},${Math.round(percent / 10)},10`);
      else lines.push(`${next(entry)},${label},${Math.round(percent / 20)},5`);
    }
    if (rng.chance(enterprise ? 0.4 : 0.3)) {
      const score = clamp(
        Math.round(
          7.7 +
            trend.npsShift +
            1.2 * lean +
            (NPS_BY_SIZE[client.size] ?? 0) +
            (NPS_BY_PRODUCT[client.product] ?? 0) +
            0.5 * client.satisfaction +
            1.7 * rng.normal(),
        ),
        0,
        10,
      );
      const label = rng.chance(0.02) ? 'NPS' : 'nps';
      lines.push(`${next(entry)},${label},${score},${rng.chance(0.1) ? '10' : ''}`);
    }
  }
  const plan = planBadRows(bad, lines.length, context.badRowShare, [
    'nps score 11',
    'cess score above scale_max',
    'duplicate response_id',
    "survey 'csat'",
    'unknown client_id',
  ]);
  const day = frame.dayNames[1 + Math.floor((frame.end - frame.start) / 2)] ?? '';
  await writeSmallDataset(context, frame, 'surveys', lines, lines.length, plan, (kind, n, previous) => {
    const [id = '', client = ''] = previous.split(',');
    const fresh = `${prefix}X${pad(n, 5)}`;
    switch (kind) {
      case 'nps score 11':
        return `${fresh},${client},${day},nps,11,`;
      case 'cess score above scale_max':
        return `${fresh},${client},${day},cess,6,5`;
      case 'duplicate response_id':
        return `${id},${client},${day},nps,9,`;
      case "survey 'csat'":
        return `${fresh},${client},${day},csat,4,5`;
      default:
        return `${fresh},C-Z${pad(n, 6)},${day},nps,8,`;
    }
  });
}
