import { plural as pluralOf } from '../../report/plural.js';
import type { HomeLine, ProgressState } from './progress-state.js';

/** Homes shown one per line; past this, the rest are summed up in one. */
const MAX_HOME_LINES = 6;
/** Error kinds named on the errors line. */
const MAX_ERROR_KINDS = 3;

/** 12,345 */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** "1 error", "2 errors", "1,200 retries": counts with thousands separators. */
export function plural(value: number, word: string): string {
  return pluralOf(value, word, count);
}

/** 9s, 2m05s, 1h02m: as much precision as a person reads in a glance. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** 0.42 ms, 3.1 ms, 120 ms. */
function ms(value: number): string {
  return `${value < 1 ? value.toFixed(2) : value < 10 ? value.toFixed(1) : count(value)} ms`;
}

/** A rate as shown: one decimal below 10, whole above. */
function perSecond(value: number): string {
  return value < 10 ? value.toFixed(1) : count(value);
}

function rateUnit(unit: string): string {
  return unit === 'requests' ? 'req/s' : `${unit}/s`;
}

/** Where the work is: done out of the total or the time out of the duration, and what is left. */
function headline(state: ProgressState): string {
  if (state.phase === 'starting') return `starting ${plural(state.instances, 'instance')} · ${duration(state.elapsedMs)}`;
  const parts: string[] = [state.phase];
  if (state.lines !== undefined) {
    const share = state.lines.share === undefined ? '' : ` (${Math.min(100, Math.floor(state.lines.share * 100))}% of the input)`;
    parts.push(`${count(state.lines.read)} lines read${share}, ${count(state.lines.written)} written, ${count(state.lines.pending)} pending`);
  } else if (state.total !== null) {
    const percent = state.total > 0 ? Math.min(100, Math.floor((state.done / state.total) * 100)) : 100;
    parts.push(`${count(state.done)}/${count(state.total)} ${state.unit} (${percent}%)`);
  } else {
    parts.push(`${count(state.done)} ${state.unit}`);
  }
  // An open-model run still sending requests that fell due before the end runs over: said so, not hidden.
  if (state.durationMs === null) parts.push(duration(state.elapsedMs));
  else if (state.elapsedMs <= state.durationMs) parts.push(`${duration(state.elapsedMs)}/${duration(state.durationMs)}`);
  else parts.push(`${duration(state.elapsedMs)} (${duration(state.durationMs)} planned)`);
  if (state.etaMs !== null) parts.push(`ETA ${duration(state.etaMs)}`);
  return parts.join(' · ');
}

/** How fast and how well: the recent rate beside the target, recent latency, errors, retries, overloads. */
function health(state: ProgressState): string {
  const rate = `${state.rate === null ? '-' : perSecond(state.rate)} ${rateUnit(state.unit)} now${state.targetRate === null ? '' : ` (target ${perSecond(state.targetRate)})`}`;
  const parts = [rate];
  if (state.latency !== null) parts.push(`p50 ${ms(state.latency.p50)} · p99 ${ms(state.latency.p99)} (last ${duration(state.latency.windowMs)})`);
  parts.push(plural(state.failed, 'error'));
  if (state.retries > 0) parts.push(plural(state.retries, 'retry'));
  if (state.overloaded > 0) parts.push(plural(state.overloaded, 'overload'));
  return parts.join(' · ');
}

function errorKinds(state: ProgressState): string | undefined {
  if (state.errors.length === 0) return undefined;
  const shown = state.errors.slice(0, MAX_ERROR_KINDS).map((error) => `${count(error.count)} ${error.kind}`);
  if (state.errors.length > MAX_ERROR_KINDS) shown.push(`${plural(state.errors.length - MAX_ERROR_KINDS, 'more kind')}`);
  return `  errors: ${shown.join(' · ')}`;
}

function homeLine(home: HomeLine): string {
  const parts = [`${count(home.listed)} listed`];
  if (home.read > 0) parts.push(`${count(home.read)} read`);
  parts.push(home.total === null ? `${count(home.written)} written` : `${count(home.written)}/${count(home.total)} written`);
  if (home.failed > 0) parts.push(`${count(home.failed)} failed`);
  return `  ${home.name}: ${home.phase}, ${parts.join(', ')}`;
}

function homeLines(homes: readonly HomeLine[]): string[] {
  if (homes.length <= MAX_HOME_LINES) return homes.map(homeLine);
  // The homes still going matter most; finished ones are summed up.
  const going = homes.filter((home) => home.phase !== 'done');
  const shown = (going.length > 0 ? going : homes).slice(0, MAX_HOME_LINES - 1);
  const rest = homes.length - shown.length;
  const done = homes.filter((home) => home.phase === 'done' && !shown.includes(home)).length;
  return [...shown.map(homeLine), `  ... ${plural(rest, 'more home')} (${count(done)} done)`];
}

/** Cuts a line to the terminal's width, so a wrapped line never breaks the redraw. */
function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 3))}...`;
}

/** The display's lines for a state: pure, so every field can be checked without a terminal or a clock. */
export function formatProgress(state: ProgressState, width = 120): string[] {
  const lines = [`cas: ${headline(state)}`];
  if (state.phase !== 'starting') {
    lines.push(`  ${health(state)}`);
    const errors = errorKinds(state);
    if (errors !== undefined) lines.push(errors);
  }
  if (state.homes !== undefined && state.homes.length > 1) lines.push(...homeLines(state.homes));
  else if (state.homes?.length === 1 && state.phase !== 'starting') lines.push(homeLine(state.homes[0]!));
  return lines.map((line) => fit(line, Math.max(20, width - 1)));
}
