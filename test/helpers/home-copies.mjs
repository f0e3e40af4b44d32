// Big CODEX_HOMEs in seconds, for tests and the bench: real rollouts (made by real turns) copied
// under fresh thread ids and times. The server indexes rollouts it did not write when it first
// starts on a home (before it answers `initialize`), so a copy lists like any thread.
//
// Thread history (what thread/turns/list and thread/items/list page through) lives in the
// server's thread_history_1.sqlite, which only the writing server fills; `copyHistory` copies the
// template's rows for each copy with the sqlite3 command-line tool, since a copy's rollout has
// the same bytes at the same offsets as its template (ids and ISO times keep their length).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const ROLLOUT = /^rollout-.*-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/;
/** ISO times as rollouts write them: same length before and after a shift. */
const TIMESTAMP = /"timestamp":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"/g;
const BASE_INSTRUCTIONS_TEXT = /("base_instructions":\{"text":")(?:[^"\\]|\\.)*"/;
/** Slim copies keep the lines the listing needs (metadata, messages, turn events), not the bulky ones. */
const SLIM_LINE_BYTES = 1000;

/** A UUIDv7 (the kind codex gives threads) for a time in ms. */
export function uuidv7(ms) {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The rollout files under a home's sessions/, with the thread id in each name. */
export async function rolloutsOf(home) {
  const found = [];
  async function walk(dir) {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        const match = ROLLOUT.exec(entry.name);
        if (match !== null) found.push({ id: match[1], file: full });
      }
    }
  }
  await walk(path.join(home, 'sessions'));
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

function slimmed(text) {
  const lines = text.split('\n').filter((line) => line !== '');
  const [meta, ...rest] = lines;
  const keep = rest.filter((line) => line.length <= SLIM_LINE_BYTES && /^\{"timestamp":"[^"]+","ordinal":\d+,"type":"(event_msg|response_item)"/.test(line));
  return `${[meta.replace(BASE_INSTRUCTIONS_TEXT, '$1"'), ...keep].join('\n')}\n`;
}

/**
 * Copies `count` rollouts of `from` (cycling through them) into `to`, each under a fresh thread
 * id and times starting at `startMs`, `stepMs` apart (its file name, date folders, every ISO
 * `timestamp`, and its mtime move with it). `slim` keeps only the lines a listing needs (the
 * copies then have no history to read). Returns each copy's id, template and time shift.
 * @param {{from: string, to: string, count: number, startMs?: number, stepMs?: number, slim?: boolean}} options
 * @returns {Promise<Array<{id: string, template: string, shiftMs: number}>>}
 */
export async function copyRollouts({ from, to, count, startMs = Date.UTC(2025, 0, 1), stepMs = 60_000, slim = false }) {
  const templates = await Promise.all(
    (await rolloutsOf(from)).map(async ({ id, file }) => {
      const text = await readFile(file, 'utf8');
      const first = /"timestamp":"([^"]+)"/.exec(text);
      return { id, text: slim ? slimmed(text) : text, at: first === null ? startMs : Date.parse(first[1]) };
    }),
  );
  if (templates.length === 0) throw new Error(`${from} has no rollouts to copy`);
  const made = [];
  const dirs = new Set();
  const writes = [];
  for (let k = 0; k < count; k++) {
    const template = templates[k % templates.length];
    const at = startMs + k * stepMs;
    const id = uuidv7(at);
    const shiftMs = at - template.at;
    const text = template.text
      .split(template.id)
      .join(id)
      .replace(TIMESTAMP, (_, iso) => `"timestamp":"${new Date(Date.parse(iso) + shiftMs).toISOString()}"`);
    const iso = new Date(at).toISOString();
    const dir = path.join(to, 'sessions', iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10));
    if (!dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      dirs.add(dir);
    }
    const file = path.join(dir, `rollout-${iso.slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`);
    writes.push(writeFile(file, text).then(() => utimes(file, new Date(at + 1000), new Date(at + 1000))));
    if (writes.length >= 64) await Promise.all(writes.splice(0));
    made.push({ id, template: template.id, shiftMs });
  }
  await Promise.all(writes);
  return made;
}

const run = promisify(execFile);

/** True when the sqlite3 command-line tool is there (needed by {@link copyHistory}). */
export async function hasSqlite3() {
  return run('sqlite3', ['-version']).then(() => true, () => false);
}

/**
 * Gives copies made by {@link copyRollouts} (not slim) the template's paged history: the
 * template home's thread_history_1.sqlite is copied into `to` (which must not have started a
 * server yet) with a row set per copy, times shifted. Needs the sqlite3 tool.
 * @param {{from: string, to: string, copies: Array<{id: string, template: string, shiftMs: number}>}} options
 */
export async function copyHistory({ from, to, copies }) {
  const target = path.join(to, 'thread_history_1.sqlite');
  await rm(target, { force: true });
  await run('sqlite3', [path.join(from, 'thread_history_1.sqlite'), `VACUUM INTO '${target.replace(/'/g, "''")}'`]);
  const values = copies.map((copy) => `('${copy.id}','${copy.template}',${copy.shiftMs})`);
  const script = [
    'BEGIN;',
    'CREATE TEMP TABLE copies(id TEXT PRIMARY KEY, template TEXT, shift INTEGER);',
    ...chunks(values, 500).map((rows) => `INSERT INTO copies VALUES ${rows.join(',')};`),
    `INSERT INTO thread_turns SELECT c.id, t.turn_id, t.rollout_ordinal, t.status, t.error_json, t.started_at + c.shift / 1000, t.completed_at + c.shift / 1000, t.duration_ms,
       t.first_user_item_id, t.final_agent_item_id, t.rollout_byte_offset, t.rollout_end_ordinal, t.rollout_end_byte_offset, t.root_turn_id
     FROM copies c JOIN thread_turns t ON t.thread_id = c.template;`,
    `INSERT INTO thread_items SELECT c.id, i.turn_id, i.item_id, i.rollout_ordinal, i.created_at_ms + c.shift, i.item_json, i.item_type, i.updated_at_ordinal,
       i.started_at_ms + c.shift, i.completed_at_ms + c.shift
     FROM copies c JOIN thread_items i ON i.thread_id = c.template;`,
    `INSERT INTO thread_history_projection_state SELECT c.id, p.next_rollout_byte_offset, p.next_rollout_ordinal
     FROM copies c JOIN thread_history_projection_state p ON p.thread_id = c.template;`,
    'COMMIT;',
  ].join('\n');
  const scriptFile = path.join(to, '.copy-history.sql');
  await writeFile(scriptFile, script);
  try {
    await run('sqlite3', [target, `.read '${scriptFile.replace(/'/g, "''")}'`], { maxBuffer: 16 * 1024 * 1024 });
  } finally {
    await rm(scriptFile, { force: true });
  }
}

function chunks(values, size) {
  const out = [];
  for (let at = 0; at < values.length; at += size) out.push(values.slice(at, at + size));
  return out;
}
