/**
 * Where a data root starts in its bucket, as the string its keys begin with: `''` for the
 * bucket root, else the prefix without surrounding slashes followed by one `/`
 * (`kpi/` for `/kpi/`), the same for the store, links and event keys.
 */
export function rootKeyPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}
