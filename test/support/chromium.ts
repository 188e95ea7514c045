/**
 * Launches a headless chromium through playwright-core, for tests that check rendered HTML
 * in a real browser. playwright-core downloads no browser of its own, so the tests take, in
 * order: `CHROMIUM_PATH`; the system's chromium (`/usr/bin/chromium`, Debian's package);
 * else the chromium that ships compressed inside the `@sparticuz/chromium` devDependency,
 * unpacked to the temporary folder on first use (about 2 s). So `npm ci && npm test` runs
 * the browser tests on a fresh machine with no `apt-get`; they are never skipped.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium, used when present. */
export const SYSTEM_CHROMIUM_PATH = '/usr/bin/chromium';

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

/** Thrown when `CHROMIUM_PATH` names no file; the message says what to fix. */
export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
}

/** Where the browser comes from, for messages and for the test of this choice. */
export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';

/**
 * Picks the chromium executable: `CHROMIUM_PATH` (which must exist), the system's, or the
 * packaged one (`unpackPackaged`, by default `@sparticuz/chromium`'s `executablePath()`).
 */
export async function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = existsSync,
  unpackPackaged: () => Promise<string> = unpackSparticuzChromium,
): Promise<{ executablePath: string; source: ChromiumSource }> {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!exists(configured)) {
      throw new ChromiumMissingError(
        `CHROMIUM_PATH is ${configured}, which does not exist: point it at a chromium executable, or unset it ` +
          'to use the system chromium or the one in the @sparticuz/chromium devDependency.',
      );
    }
    return { executablePath: configured, source: 'CHROMIUM_PATH' };
  }
  if (exists(SYSTEM_CHROMIUM_PATH)) return { executablePath: SYSTEM_CHROMIUM_PATH, source: 'system' };
  return { executablePath: await unpackPackaged(), source: '@sparticuz/chromium' };
}

async function unpackSparticuzChromium(): Promise<string> {
  const { default: packaged } = await import('@sparticuz/chromium');
  return packaged.executablePath();
}

/** Starts headless chromium (see `findChromium`) with `CHROMIUM_ARGS`. The caller closes it. */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const { executablePath } = await findChromium(env);
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}
