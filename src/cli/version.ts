/**
 * The package's version, from package.json: the bundle (dist/cli.mjs) carries it inlined by
 * esbuild, so an installed copy prints its own version without reading any file.
 */
import packageJson from '../../package.json' with { type: 'json' };

export const VERSION: string = packageJson.version;
