/**
 * Whether Envoy (RE2) accepts a pattern. RE2 has no lookaround or backreferences; JavaScript accepts those, so
 * they are rejected first. One bad regex would make Envoy reject the whole route table.
 */
export function isValidRegex(pattern: string): boolean {
  if (/\(\?<?[=!]|\\[1-9]/.test(pattern)) return false;
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
