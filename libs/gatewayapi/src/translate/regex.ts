/**
 * Whether Envoy (RE2) accepts a pattern. RE2 has no lookaround, backreferences or `\uXXXX` escapes; JavaScript
 * accepts those, so they are rejected first. One bad regex would make Envoy reject the whole route table.
 */
export function isValidRegex(pattern: string): boolean {
  if (/\(\?<?[=!]|\\[1-9]|\\k<|\\u[0-9a-fA-F]{4}/.test(pattern)) return false;
  // RE2 syntax JavaScript lacks: `(?P<name>` groups and inline flags; map them before the syntax check.
  const jsPattern = pattern
    .replaceAll('(?P<', '(?<')
    .replace(/\(\?[imsU]+\)/g, '')
    .replace(/\(\?[imsU]+:/g, '(?:');
  try {
    new RegExp(jsPattern);
    return true;
  } catch {
    return false;
  }
}
