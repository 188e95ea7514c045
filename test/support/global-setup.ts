/**
 * Runs once before any test file. Unpacks the packaged chromium here, when the browser
 * tests will need it, because `@sparticuz/chromium` unpacks to a fixed path in the
 * temporary folder and answers "ready" as soon as that file exists: two test files
 * unpacking at once in parallel workers could launch a half-written binary.
 */
import { findChromium } from './chromium';

export default async function setup(): Promise<void> {
  await findChromium();
}
