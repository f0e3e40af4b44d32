import { UsageError } from '../usage-error.js';

/** ISO 8601 date and time with a zone: every machine of a job must read it as the same instant. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Further ahead than this is surely a mistake (a wrong year, a local time read as UTC). */
const MAX_AHEAD_MS = 24 * 60 * 60 * 1000;

/** Whether the date part names a real day (Date.parse takes February 30 as March 2). */
function realDay(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `--start-at`: ms since the epoch; a past time is allowed (the run starts at once), a day ahead is not. */
export function parseStartAt(text: string, now = Date.now()): number {
  const at = ISO_WITH_ZONE.test(text) && realDay(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new UsageError(`--start-at must be an ISO 8601 time with a zone, e.g. 2030-01-02T03:04:05Z (got ${JSON.stringify(text)})`);
  if (at - now > MAX_AHEAD_MS) throw new UsageError(`--start-at ${text} is more than 24 hours away`);
  return at;
}
