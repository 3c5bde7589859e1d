// One order for names in every answer and hash (pure).

/**
 * Code-unit order: the same on every replica, in every locale and on every Node version. Not `localeCompare`: that
 * is locale-dependent, and its first call maps ~3 MiB of ICU collation data into the process for good.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
