import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ChromiumMissingError, findChromium, SYSTEM_CHROMIUM_PATH } from './chromium';

const unpackNever = async (): Promise<string> => {
  throw new Error('the packaged chromium should not have been unpacked');
};

describe('the browser the browser tests use', () => {
  it('is CHROMIUM_PATH when set and present', async () => {
    // Act
    const found = await findChromium(
      { CHROMIUM_PATH: '/opt/chrome' },
      (file) => file === '/opt/chrome',
      unpackNever,
    );

    // Assert
    expect(found).toEqual({ executablePath: '/opt/chrome', source: 'CHROMIUM_PATH' });
  });

  it('refuses a CHROMIUM_PATH that does not exist instead of falling back silently', async () => {
    // Act
    const finding = findChromium({ CHROMIUM_PATH: '/nowhere/chrome' }, () => false, unpackNever);

    // Assert
    await expect(finding).rejects.toThrow(ChromiumMissingError);
    await expect(finding).rejects.toThrow(/CHROMIUM_PATH is \/nowhere\/chrome/);
  });

  it('is the system chromium when there is one', async () => {
    // Act
    const found = await findChromium({}, (file) => file === SYSTEM_CHROMIUM_PATH, unpackNever);

    // Assert
    expect(found.source).toBe('system');
  });

  it('is the chromium packaged in @sparticuz/chromium on a machine without one, and it renders a page', async () => {
    // Arrange: as on a fresh machine, no system chromium and no CHROMIUM_PATH.
    const found = await findChromium({}, () => false);

    // Act
    const browser = await chromium.launch({ executablePath: found.executablePath, args: [...CHROMIUM_ARGS] });
    const page = await browser.newPage({ viewport: { width: 375, height: 200 } });
    await page.setContent('<p id="probe">rendered</p>');
    const text = await page.textContent('#probe');
    await browser.close();

    // Assert
    expect(found.source).toBe('@sparticuz/chromium');
    expect(text).toBe('rendered');
  }, 60_000);
});
