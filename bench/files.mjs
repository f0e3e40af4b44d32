// Small file helpers for the bench: JSON reports, streamed JSONL in and out.
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';

/** A JSON file's value, or null when it is missing or unparsable (a cas run that died writes none). */
export async function readJsonFile(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Calls `onLine(line, lineNumber)` for every line of a file, streaming so big outputs stay cheap. */
export async function forEachLine(file, onLine) {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) onLine(line, ++number);
  return number;
}

/** Writes `count` lines made by `makeLine(i)` (1-based), waiting on 'drain' so memory stays flat. */
export async function writeLines(file, count, makeLine) {
  const out = createWriteStream(file);
  for (let i = 1; i <= count; i++) {
    if (!out.write(`${makeLine(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
}
