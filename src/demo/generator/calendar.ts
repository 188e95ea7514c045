/**
 * Days and times as exports write them: `YYYY-MM-DD` of day numbers (memoised), `HH:MM:SS`
 * of seconds, the UTC offsets date-times use, and a quarter's ordinal.
 */
import { formatDay, type Quarter } from '../../core/quarter';

export const SECONDS_PER_DAY = 86_400;
let timesOfDay: string[] | undefined;
/** `HH:MM:SS` for every second of a day, built on first use (about 2.5 MB). */
export function timeOfDay(second: number): string {
  if (!timesOfDay) {
    const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
    timesOfDay = Array.from(
      { length: SECONDS_PER_DAY },
      (_, s) => `${two[Math.floor(s / 3600)]}:${two[Math.floor(s / 60) % 60]}:${two[s % 60]}`,
    );
  }
  return timesOfDay[second] ?? '00:00:00';
}
/** UTC offsets used in date-times, in minutes, and as written. */
export const OFFSETS: readonly (readonly [number, string])[] = [
  [120, '+02:00'],
  [60, '+01:00'],
  [-300, '-05:00'],
  [-480, '-08:00'],
  [330, '+05:30'],
  [540, '+09:00'],
  [-180, '-03:00'],
];

/** Memoised `YYYY-MM-DD` of day numbers (dates repeat a lot across rows and quarters). */
export class DayNames {
  private readonly names = new Map<number, string>();
  of(day: number): string {
    let name = this.names.get(day);
    if (name === undefined) {
      name = formatDay(day);
      this.names.set(day, name);
    }
    return name;
  }
}

export function quarterOrdinal(quarter: Quarter): number {
  return quarter.year * 4 + quarter.index - 1;
}
