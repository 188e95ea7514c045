import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normaliseAddress,
  recipientHash,
  recipientKey,
  redactAddresses,
} from '../../src/use-cases/recipient-key';

describe('recipientKey', () => {
  it.each([
    ['ceo@example.com', 'ceo@example.com'],
    ['  CEO@Example.COM ', 'ceo@example.com'],
    ['first.last+kpi@mueller-soehne.example', 'first.last+kpi@mueller-soehne.example'],
  ])('keeps the file-name-safe address %j as it is, normalised: %j', (address, key) => {
    // Act
    const result = recipientKey(address);

    // Assert
    expect(result).toBe(key);
  });

  it("gives o'neil@ and o_neil@ different keys, the look-alike one marked with its hash", () => {
    // Arrange: the hash by hand, SHA-256 of the normalised address.
    const hash = createHash('sha256').update("o'neil@example.com").digest('hex').slice(0, 12);

    // Act
    const apostrophe = recipientKey("O'Neil@example.com");
    const underscore = recipientKey('o_neil@example.com');

    // Assert
    expect(underscore).toBe('o_neil@example.com');
    expect(apostrophe).toBe(`o_neil@example.com~${hash}`);
  });

  it('treats the composed and decomposed forms of an accented address as one recipient', () => {
    // Arrange: é as one code point, and as e + combining acute accent.
    const composed = 'zo\u00e9@example.com';
    const decomposed = 'zoe\u0301@example.com';

    // Act
    const keys = [recipientKey(composed), recipientKey(decomposed)];

    // Assert
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toMatch(/^zo_@example\.com~[0-9a-f]{12}$/);
  });

  it('never gives two different normalised addresses the same key', () => {
    const address = fc.tuple(
      fc.string({
        unit: fc.constantFrom('a', 'B', '_', "'", '.', 'é', '~', '/', ' ', '+', '-'),
        maxLength: 6,
      }),
      fc.constantFrom('example.com', 'EXAMPLE.com', 'ex_ample.com'),
    );
    fc.assert(
      fc.property(address, address, ([localA, domainA], [localB, domainB]) => {
        const a = `${localA}@${domainA}`;
        const b = `${localB}@${domainB}`;
        fc.pre(normaliseAddress(a) !== normaliseAddress(b));
        expect(recipientKey(a)).not.toBe(recipientKey(b));
      }),
    );
  });

  it('keeps every key free of characters a file name or an S3 key would trip on', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (address) => {
        expect(recipientKey(address)).toMatch(/^[a-z0-9@._+~-]*$/);
      }),
    );
  });
});

describe('recipientHash', () => {
  it('is the first 12 hex digits of the SHA-256 of the normalised address', () => {
    // Arrange
    const expected = createHash('sha256').update('ceo@example.com').digest('hex').slice(0, 12);

    // Act
    const hash = recipientHash(' CEO@example.com');

    // Assert
    expect(hash).toBe(expected);
  });
});

describe('redactAddresses', () => {
  it("replaces every address in a line, o'neil@ included, by its hash and leaves the rest", () => {
    // Arrange: an SES error as the mailer words it.
    const line =
      "  o'neil@example.com: FAILED (permanent): SES rejected the message to o'neil@example.com: MessageRejected: Email address is not verified. The following identities failed the check in region EU-WEST-1: KPI <kpi@example.com>, O'Neil@Example.com";

    // Act
    const redacted = redactAddresses(line);

    // Assert
    const oneil = recipientHash("o'neil@example.com");
    expect(redacted).toBe(
      `  <${oneil}>: FAILED (permanent): SES rejected the message to <${oneil}>: MessageRejected: Email address is not verified. The following identities failed the check in region EU-WEST-1: KPI <<${recipientHash('kpi@example.com')}>>, <${oneil}>`,
    );
    expect(redacted).not.toMatch(/@/);
  });
});
