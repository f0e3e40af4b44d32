import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './cas-cli.js';

/** The fenced code blocks of the README whose info string is `lang` (e.g. `ts`, `sh`), as written. */
export async function readmeBlocks(lang: string): Promise<string[]> {
  const lines = (await readFile(path.join(ROOT, 'README.md'), 'utf8')).split('\n');
  const blocks: string[] = [];
  let open: { fence: string; lang: string; lines: string[] } | undefined;
  for (const line of lines) {
    if (open === undefined) {
      const start = /^(\s*```)(\S*)\s*$/.exec(line);
      if (start !== null) open = { fence: start[1]!, lang: start[2]!, lines: [] };
    } else if (line.trimEnd() === open.fence) {
      if (open.lang === lang) blocks.push(`${open.lines.join('\n')}\n`);
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  return blocks;
}
