import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, plain JavaScript without declarations.
import { lazyStringWidth } from '../../scripts/lazy-string-width.mjs';

type StringWidth = (text: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;

/** Wide, zero-width, combining, emoji (RGI, ZWJ, keycap), ANSI-coloured and Hangul text. */
const SAMPLES = ['abc', '古池や', 'é', 'e\u0301', '\u200b', '👩‍👩‍👧', '1️⃣', '🇫🇷', '\u001b[31mred\u001b[39m', '한국어', '각', 'Ａ', '\t', ''];

/** The cas CLI bundle's copy of a string-width (the plugin applied) next to the package itself. */
async function bundledAndOriginal(packageDir: string): Promise<[StringWidth, StringWidth]> {
  const entry = path.resolve(packageDir, 'index.js');
  const result = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', write: false, plugins: [lazyStringWidth], logLevel: 'silent' });
  const code = result.outputFiles[0]!.text;
  expect(code).toContain('__casLazy(() => new Intl.Segmenter())');
  const bundled = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { default: StringWidth };
  const original = (await import(pathToFileURL(entry).href)) as { default: StringWidth };
  return [bundled.default, original.default];
}

describe('lazy-string-width (the CLI bundle defers string-width\'s Unicode tables)', () => {
  for (const dir of ['node_modules/yargs/node_modules/string-width', 'node_modules/cliui/node_modules/string-width']) {
    it(`${dir}: the same widths as the package itself`, async () => {
      const [bundled, original] = await bundledAndOriginal(dir);
      for (const sample of SAMPLES) {
        expect(bundled(sample), JSON.stringify(sample)).toBe(original(sample));
        expect(bundled(sample, { ambiguousIsNarrow: false, countAnsiEscapeCodes: true }), JSON.stringify(sample)).toBe(original(sample, { ambiguousIsNarrow: false, countAnsiEscapeCodes: true }));
      }
      expect(bundled('古池や')).toBe(6);
    });
  }
});
