import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, plain JavaScript without declarations.
import { lazyAtLoad } from '../../scripts/lazy-at-load.mjs';

type StringWidth = (text: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;

/** Wide, zero-width, combining, emoji (RGI, ZWJ, keycap), ANSI-coloured and Hangul text. */
const SAMPLES = ['abc', '古池や', 'é', 'e\u0301', '\u200b', '👩‍👩‍👧', '1️⃣', '🇫🇷', '\u001b[31mred\u001b[39m', '한국어', '각', 'Ａ', '\t', ''];

/** `entry` bundled as the CLI bundle has it (the plugin applied), loaded as a module. */
async function bundled<T>(entry: string): Promise<{ module: T; code: string }> {
  const result = await build({ entryPoints: [path.resolve(entry)], bundle: true, format: 'esm', platform: 'node', write: false, plugins: [lazyAtLoad], logLevel: 'silent' });
  const code = result.outputFiles[0]!.text;
  return { module: (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as T, code };
}

describe('lazy-at-load (the CLI bundle builds costly ICU objects of its dependencies on first use)', () => {
  for (const dir of ['node_modules/yargs/node_modules/string-width', 'node_modules/cliui/node_modules/string-width']) {
    it(`${dir}: measures text as the package does`, async () => {
      const entry = path.join(dir, 'index.js');
      const { module: lazy, code } = await bundled<{ default: StringWidth }>(entry);
      expect(code).toContain('__casLazy(() => new Intl.Segmenter())');
      const original = ((await import(pathToFileURL(path.resolve(entry)).href)) as { default: StringWidth }).default;
      for (const sample of SAMPLES) {
        expect(lazy.default(sample), JSON.stringify(sample)).toBe(original(sample));
        expect(lazy.default(sample, { ambiguousIsNarrow: false, countAnsiEscapeCodes: true }), JSON.stringify(sample)).toBe(original(sample, { ambiguousIsNarrow: false, countAnsiEscapeCodes: true }));
      }
      expect(lazy.default('古池や')).toBe(6);
    });
  }

  it('hdr-histogram-js: the log writer formats times as the package does', async () => {
    type Hdr = typeof import('hdr-histogram-js');
    const { module: lazy, code } = await bundled<{ default: Hdr }>('node_modules/hdr-histogram-js/dist/index.js');
    expect(code).toContain('var timeFormatter = __casLazy(');
    const original = createRequire(import.meta.url)('hdr-histogram-js') as Hdr;
    const logOf = (hdr: Hdr): string => {
      const histogram = hdr.build();
      for (const value of [1, 20, 300, 4000]) histogram.recordValue(value);
      let text = '';
      new hdr.HistogramLogWriter((line) => (text += line)).outputIntervalHistogram(histogram, 12.3456, 15.5, 1000);
      return text;
    };
    // Start, duration and max as the package formats them; the histogram itself is the same too
    // (bundled, hdr-histogram-js compresses it to other bytes of the same content).
    const [lazyLine, originalLine] = [logOf(lazy.default), logOf(original)];
    expect(lazyLine.split(',').slice(0, 3)).toEqual(originalLine.split(',').slice(0, 3));
    expect(originalLine).toMatch(/^12\.346,3\.154,4\.000,HIST/);
    const decoded = (line: string) => {
      const histogram = original.decodeFromCompressedBase64(line.split(',')[3]!.trim());
      return [histogram.totalCount, histogram.minNonZeroValue, histogram.maxValue, histogram.getValueAtPercentile(50)];
    };
    expect(decoded(lazyLine)).toEqual(decoded(originalLine));
  });
});
