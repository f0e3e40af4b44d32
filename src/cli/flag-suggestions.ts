/** The parser's view of a command's flags: names and aliases, as yargs keeps them. */
export interface KnownFlags {
  key: Record<string, unknown>;
  alias: Record<string, readonly string[]>;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** Edit distance with transpositions ("optimal string alignment"): `mien` is one edit from `mine`. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** Every spelling a flag may take on the command line (kebab and camel case, aliases). */
function knownNames(known: KnownFlags): Set<string> {
  const names = new Set<string>();
  for (const key of Object.keys(known.key)) names.add(key).add(kebab(key));
  for (const [key, aliases] of Object.entries(known.alias)) for (const alias of [key, ...aliases]) names.add(alias).add(kebab(alias));
  return names;
}

/** The flag names in `argv` the command does not know, each once, as the user wrote them. */
export function unknownFlags(argv: readonly string[], known: KnownFlags): string[] {
  const names = knownNames(known);
  const unknown: string[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) continue;
    const name = arg.replace(/^--?/, '').split('=')[0]!;
    const bare = name.startsWith('no-') ? name.slice(3) : name;
    // A cluster of short flags (-nq) is the parser's business; only whole names are checked here.
    if (!arg.startsWith('--') && name.length > 1) continue;
    if (!names.has(name) && !names.has(bare) && !unknown.includes(arg.split('=')[0]!)) unknown.push(arg.split('=')[0]!);
  }
  return unknown;
}

/** The known long flag nearest to `flag` (a typo away), if any; `--no-x` is matched as `x`. */
export function nearestFlag(flag: string, known: KnownFlags): string | undefined {
  const written = flag.replace(/^--?/, '');
  const negated = written.startsWith('no-');
  const name = negated ? written.slice(3) : written;
  const candidates = [...knownNames(known)].filter((candidate) => candidate.length >= 2 && !/[A-Z]/.test(candidate));
  const best = nearestName(name, candidates);
  return best === undefined ? undefined : `--${negated ? 'no-' : ''}${best}`;
}

/** The candidate a typo away from `name` (within a quarter of its length), nearest first. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    const limit = Math.max(1, Math.floor(candidate.length / 4));
    if (d <= limit && (best === undefined || d < best.distance)) best = { name: candidate, distance: d };
  }
  return best?.name;
}

/** One line naming the unknown flags, with a suggestion for the first near miss. */
export function describeUnknownFlags(flags: readonly string[], known: KnownFlags): string {
  const list = flags.join(', ');
  const suggestion = flags.map((flag) => [flag, nearestFlag(flag, known)] as const).find(([, near]) => near !== undefined);
  const hint = suggestion === undefined ? '' : flags.length === 1 ? ` (did you mean ${suggestion[1]}?)` : ` (did you mean ${suggestion[1]} for ${suggestion[0]}?)`;
  return `unknown ${flags.length === 1 ? 'flag' : 'flags'} ${list}${hint}; see --help`;
}
