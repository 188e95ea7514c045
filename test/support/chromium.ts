/**
 * Launches the system's chromium (Debian's package, installed by `.ci/run`) through
 * playwright-core, for tests that check rendered HTML in a real browser. playwright-core
 * downloads no browser of its own, so a missing executable fails the test with how to
 * install one, instead of skipping it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium; `CHROMIUM_PATH` overrides it. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline, container-friendly headless chromium. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Thrown when there is no chromium to launch; the message says how to install it. */
export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
}

/**
 * Starts headless chromium from `CHROMIUM_PATH` (default `/usr/bin/chromium`) with
 * `CHROMIUM_ARGS`. Throws `ChromiumMissingError` if the executable does not exist. The
 * caller closes the browser.
 */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new ChromiumMissingError(
      `No chromium at ${executablePath}: the browser tests need it. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (as .ci/run does), ' +
        'or set CHROMIUM_PATH to a chromium executable.',
    );
  }
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}
