/**
 * Moved to core/data-root.ts, the data root's one layout module. Kept only while files in
 * other branches' areas (use-cases/distributed-run.ts, cli/main.ts, infra/, their tests)
 * still import it from here: switch them to core/data-root.ts, then delete this file.
 */
export { RUN_LEFTOVER_PREFIXES, reportKeys } from '../core/data-root';
