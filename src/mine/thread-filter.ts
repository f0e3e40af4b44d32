import { ALL_SOURCE_KINDS, type ListFilters, type SourceKind } from './list-params.js';

/** What decides whether a listing with a mine's filters includes a thread. */
export interface ThreadFacts {
  /** The thread's source: as a rollout's session_meta writes it, or as the API reports it. */
  source: unknown;
  modelProvider: string | undefined;
  cwd: string | undefined;
  /** Attached to another thread: hidden from ordinary listings. */
  attached?: boolean;
  /** No user message yet (an empty preview): codex 0.169.0 lists no such thread, by either listing. */
  empty?: boolean;
}

/** `in`: the listing should have it; `out`: the filters exclude it (and why); `unsure`: cannot tell here. */
export type Verdict = { verdict: 'in' } | { verdict: 'out'; reason: string } | { verdict: 'unsure'; reason: string };

/** Plain sources, as rollouts write them and as the API reports them, and their kind. */
const PLAIN_SOURCES: Readonly<Record<string, SourceKind>> = { cli: 'cli', vscode: 'vscode', exec: 'exec', mcp: 'appServer', appServer: 'appServer', unknown: 'unknown' };

function isSubAgent(source: unknown): boolean {
  return typeof source === 'object' && source !== null && ('subagent' in source || 'subAgent' in source);
}

function sourceVerdict(source: unknown, kinds: readonly SourceKind[]): Verdict {
  if (kinds.length === ALL_SOURCE_KINDS.length) return { verdict: 'in' };
  if (typeof source === 'string' && PLAIN_SOURCES[source] !== undefined) {
    const kind = PLAIN_SOURCES[source]!;
    return kinds.includes(kind) ? { verdict: 'in' } : { verdict: 'out', reason: `source ${kind}` };
  }
  if (isSubAgent(source)) {
    // Which sub-agent kinds a sub-agent source matches is the server's call; none asked for means out.
    return kinds.some((kind) => kind.startsWith('subAgent')) ? { verdict: 'unsure', reason: 'sub-agent source' } : { verdict: 'out', reason: 'source subAgent' };
  }
  return { verdict: 'unsure', reason: 'unknown source' };
}

/**
 * Whether a mine's listing should include a thread, judged from what its rollout or the server
 * says about it. Conservative: `out` only when a filter certainly excludes it; `--search-term`
 * (matched against a title the server derives) is never judged here.
 */
export function judgeThread(facts: ThreadFacts, filters: ListFilters): Verdict {
  if (filters.modelProviders !== undefined && facts.modelProvider !== undefined && !filters.modelProviders.includes(facts.modelProvider)) {
    return { verdict: 'out', reason: `provider ${facts.modelProvider}` };
  }
  if (filters.cwd !== undefined && facts.cwd !== undefined) {
    const cwds = Array.isArray(filters.cwd) ? filters.cwd : [filters.cwd];
    if (!cwds.includes(facts.cwd)) return { verdict: 'out', reason: 'cwd' };
  }
  const source = sourceVerdict(facts.source, filters.sourceKinds ?? ALL_SOURCE_KINDS);
  if (source.verdict === 'out') return source;
  if (facts.attached === true) return { verdict: 'out', reason: 'attached to another thread' };
  if (facts.empty === true) return { verdict: 'out', reason: 'no user message' };
  if (filters.searchTerm !== undefined) return { verdict: 'unsure', reason: '--search-term' };
  return source;
}

/** The facts of a thread as the API returns it (`thread/read`, `thread/list`). */
export function apiThreadFacts(thread: Record<string, unknown>): ThreadFacts {
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    source: thread.source,
    modelProvider: str(thread.modelProvider),
    cwd: str(thread.cwd),
    attached: typeof thread.attachedToThreadId === 'string',
    empty: thread.preview === '',
  };
}
