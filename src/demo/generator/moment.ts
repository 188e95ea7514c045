/**
 * A date or date-time for a moment of a quarter day, in the mix of styles exports use.
 */
import type { Prng } from '../prng';
import { OFFSETS, SECONDS_PER_DAY, timeOfDay } from './calendar';
import type { QuarterFrame } from './context';

/** A date or date-time for a moment on `day` (a quarter day), as exports mix them. */
export function moment(rng: Prng, frame: QuarterFrame, day: number): string {
  const index = day - frame.start + 1;
  const style = rng.next();
  if (style < 0.4) return frame.dayNames[index] ?? '';
  const second = rng.int(SECONDS_PER_DAY);
  if (style < 0.8) return `${frame.dayNames[index]}T${timeOfDay(second)}Z`;
  // The same instant written in a local time: the local date may be the day before or after.
  const [offset, suffix] = OFFSETS[rng.int(OFFSETS.length)] ?? [0, 'Z'];
  let local = second + offset * 60;
  let localIndex = index;
  if (local < 0) {
    local += SECONDS_PER_DAY;
    localIndex--;
  } else if (local >= SECONDS_PER_DAY) {
    local -= SECONDS_PER_DAY;
    localIndex++;
  }
  return `${frame.dayNames[localIndex]}T${timeOfDay(local)}${suffix}`;
}
