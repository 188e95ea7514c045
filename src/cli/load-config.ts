/**
 * Finds and parses the configuration file: `--config FILE`, else `kpi-report.json` in the
 * working directory when there is one, else the defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Config, ConfigError, defaultConfig, parseConfigText } from '../core/config';

export const DEFAULT_CONFIG_FILE = 'kpi-report.json';

export function loadConfig(path: string | undefined): { config: Config; source: string } {
  if (path === undefined) {
    if (!existsSync(DEFAULT_CONFIG_FILE)) return { config: defaultConfig, source: 'defaults' };
    return loadConfig(DEFAULT_CONFIG_FILE);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { config: parseConfigText(text, path), source: path };
}
