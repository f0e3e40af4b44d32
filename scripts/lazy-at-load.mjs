import { readFile } from 'node:fs/promises';

/**
 * Dependencies that build costly ICU-backed objects when they load, each needed only on some
 * paths: cas pays them at every start unless they are built on first use instead.
 * - string-width (under yargs, cliui and wrap-ansi): Intl.Segmenters and \p{...} regexes, about
 *   40 ms of CPU, only to lay out help text;
 * - hdr-histogram-js's HistogramLogWriter (which cas does not use): an Intl.NumberFormat, about
 *   25 ms.
 * Each rule names the top-level `const NAME = VALUE;` lines of a file to defer, and what in the
 * file shows there is something to defer (string-width 4, under cli-progress, has none).
 */
const RULES = [
  { file: /[\\/]string-width[\\/]index\.js$/, line: /^const (\w+) = (new Intl\.Segmenter\(\)|\/.*\\p\{.*\/[a-z]*);$/gm, costly: /Intl\.Segmenter|\\p\{/ },
  { file: /[\\/]hdr-histogram-js[\\/]dist[\\/]HistogramLogWriter\.js$/, line: /^const (\w+) = (\(0, formatters_1\.floatFormatter\)\([^)]*\));$/gm, costly: /floatFormatter/ },
];

/** A stand-in for an object or function made on first use: every call, property read and write goes to it. */
const LAZY_HELPER = `const __casLazy = (make) => {
  let real;
  const target = () => (real ??= make());
  return new Proxy(() => undefined, {
    apply(_, self, args) { return Reflect.apply(target(), self, args); },
    get(_, key) { const object = target(); const value = Reflect.get(object, key, object); return typeof value === 'function' ? value.bind(object) : value; },
    set(_, key, value) { return Reflect.set(target(), key, value); },
  });
};`;

/**
 * esbuild plugin: rewrites each rule's lines as `const NAME = __casLazy(() => VALUE);`. Fails the
 * build when a matched file has none of them left, so a new version that changed shape is noticed.
 */
export const lazyAtLoad = {
  name: 'lazy-at-load',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.js$/ }, async (args) => {
      const rule = RULES.find((candidate) => candidate.file.test(args.path));
      if (rule === undefined) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!rule.costly.test(source)) return undefined;
      let deferred = 0;
      const contents = source.replace(rule.line, (_line, name, value) => {
        deferred++;
        return `const ${name} = __casLazy(() => ${value});`;
      });
      if (deferred === 0) throw new Error(`lazy-at-load: nothing to defer in ${args.path}; update its rule for this version`);
      // After a CommonJS file's "use strict" directive, which must stay first.
      const strict = /^"use strict";\n/.exec(contents)?.[0] ?? '';
      return { contents: `${strict}${LAZY_HELPER}\n${contents.slice(strict.length)}`, loader: 'js' };
    });
  },
};
