import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { transform } from 'esbuild';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cas-cli.js';
import { readmeBlocks } from '../helpers/readme-blocks.js';

// The README's TypeScript example, exactly as written: it must type-check under `strict` against
// the package's own declarations (`import ... from 'cas'` resolves through package.json exports,
// as it does for a user), and it must run.

/** Code that must NOT type-check: proof that the types are precise, not `any`. */
const CONTROL = `import type { CasClient } from 'cas';
declare const client: CasClient;
client.on('item/completed', (n) => { const kind: number = n.params.item.type; console.log(kind); });
const read = await client.request('thread/read', { threadId: 't' });
const turns: string = read.thread.turns.length;
await client.request('thread/read', {});
client.on('some/newMethod', (n) => console.log(n.params.anything));
console.log(turns);
`;

interface Diagnostic {
  file: string;
  line: number;
  code: string;
}

let dir: string;
let examples: string[];

beforeAll(async () => {
  examples = await readmeBlocks('ts');
  // Inside the repo, so that 'cas' resolves to this package and its dependencies are found.
  dir = await mkdtemp(path.join(ROOT, '.readme-check-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the README's TypeScript example", () => {
  // tsc on the whole package's declarations takes 15-30 s on a busy 2-core machine.
  it('type-checks under strict as written; wrong uses of the same API do not', { timeout: 180_000 }, async () => {
    expect(examples.length).toBeGreaterThan(0);
    const files = examples.map((_, index) => `example-${index}.ts`);
    await Promise.all(examples.map((code, index) => writeFile(path.join(dir, files[index]!), code)));
    await writeFile(path.join(dir, 'control.ts'), CONTROL);
    const compilerOptions = {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      noEmit: true,
      // Our shipped declarations are checked too, as a project without skipLibCheck would.
      skipLibCheck: false,
    };
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...files, 'control.ts'] }));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await execa(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json'), '--listFiles', '--pretty', 'false'], { reject: false, cwd: dir });
    const diagnostics: Diagnostic[] = [...result.stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+)/gm)].map((match) => ({
      file: path.basename(match[1]!),
      line: Number(match[2]),
      code: match[3]!,
    }));
    // 'cas' was the package's own declarations, found through its exports.
    expect(result.stdout.split('\n')).toContain(path.join(ROOT, 'dist', 'index.d.ts'));
    expect(diagnostics.filter((diagnostic) => diagnostic.file !== 'control.ts')).toEqual([]);
    expect(diagnostics).toEqual([
      { file: 'control.ts', line: 3, code: 'TS2322' }, // item.type is a string
      { file: 'control.ts', line: 5, code: 'TS2322' }, // turns is an array
      { file: 'control.ts', line: 6, code: 'TS2345' }, // thread/read needs a threadId
      { file: 'control.ts', line: 7, code: 'TS18046' }, // an unknown method's params are unknown
    ]);
  });

  it('runs offline as written: a turn against the loopback model, typed items, the thread listed and read', async () => {
    expect(examples.length).toBe(1);
    const { code } = await transform(examples[0]!, { loader: 'ts', format: 'esm', target: 'node20' });
    const file = path.join(dir, 'example.mjs');
    await writeFile(file, code);
    const result = await execa(process.execPath, [file], { reject: false, cwd: dir, timeout: 60_000 });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('completed Hello from the model');
    expect(lines[1]).toMatch(/^thread [0-9a-f-]{36} Hi$/);
    expect(lines[2]).toBe('1 turn, 2 items');
    expect(lines[3]).toMatch(/^\d+ experimental features$/);
    expect(result.stderr.split('\n')).toEqual(['item userMessage', 'item agentMessage']);
  });
});
