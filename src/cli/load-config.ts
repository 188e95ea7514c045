/**
 * Finds and parses the configuration file: `--config FILE`, else `kpi-report.json` in the
 * working directory when there is one, else the defaults. Paths inside the file
 * (`email.templateDir`) are relative to the file's own folder, so a configuration means
 * the same from whichever folder it is run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError, defaultConfig, parseConfigText } from '../core/config';

export const DEFAULT_CONFIG_FILE = 'kpi-report.json';

export interface LoadedConfig {
  readonly config: Config;
  /** The absolute path of the file read, or undefined when the defaults are used. */
  readonly file: string | undefined;
}

export function loadConfig(file: string | undefined): LoadedConfig {
  if (file === undefined) {
    if (!existsSync(DEFAULT_CONFIG_FILE)) return { config: defaultConfig, file: undefined };
    return loadConfig(DEFAULT_CONFIG_FILE);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const config = parseConfigText(text, file);
  const absolute = path.resolve(file);
  const { templateDir } = config.email;
  if (templateDir === undefined) return { config, file: absolute };
  const email = { ...config.email, templateDir: path.resolve(path.dirname(absolute), templateDir) };
  return { config: { ...config, email }, file: absolute };
}

/** The notice printed at start: which file is used, or that none was found and the defaults are. */
export function describeConfigSource(loaded: LoadedConfig): string {
  return loaded.file === undefined
    ? `Configuration: none (no ${DEFAULT_CONFIG_FILE} in ${process.cwd()} and no --config), so the defaults are used`
    : `Configuration: ${loaded.file}`;
}
