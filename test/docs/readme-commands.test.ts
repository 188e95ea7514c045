/**
 * The README's commands work as written: every `npm run cli -- …` line of its `sh` blocks
 * runs, through npm as a reader would type it, against a freshly generated demo data root
 * (the quick start's `./data`, moved to a temporary folder so the test leaves the checkout
 * alone). The quick start itself (`npm ci && npm run demo`) is what CI runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The `npm run cli -- …` lines of the README's `sh` blocks, comments removed. */
function readmeCliCommands(readme: string): string[] {
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npm run cli -- '));
}

let root: string;
let commands: string[];

beforeAll(async () => {
  commands = readmeCliCommands(await readFile(path.join(REPO, 'README.md'), 'utf8'));
  root = await mkdtemp(path.join(os.tmpdir(), 'kpi-report-readme-'));
  await runDemo({ root: path.join(root, 'data'), print: () => {} });
}, 180_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the README', () => {
  it('shows the quick start commands a reader runs next', () => {
    expect(commands.map((command) => command.split(' ')[4])).toEqual(['validate', 'run', 'preview']);
  });

  it('has commands that run as written on the demo data', () => {
    for (const command of commands) {
      // Act: the demo's ./data is in the temporary folder.
      const args = command
        .slice('npm run cli -- '.length)
        .split(/\s+/)
        .map((arg) => arg.replace(/^(\.\/)?data(?=\/|$)/, path.join(root, 'data')));
      const result = spawnSync('npm', ['run', '--silent', 'cli', '--', ...args], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });

      // Assert
      expect({ command, status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
        command,
        status: 0,
        stderr: '',
      });
    }
  }, 300_000);
});
