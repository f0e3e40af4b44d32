/**
 * The codex version a server's `initialize` userAgent names, or null. The server builds it as
 * `<client name>/<codex version> (<os>; <arch>) <terminal> (<client>; <client version>)`.
 */
export function versionFromUserAgent(userAgent: string | null | undefined): string | null {
  if (typeof userAgent !== 'string') return null;
  const match = /^[^\s/]+\/(\d[^\s/]*)/.exec(userAgent);
  return match === null ? null : match[1]!;
}
