import { readFile } from 'node:fs/promises';

/**
 * string-width (under yargs, cliui and wrap-ansi) builds Intl.Segmenters and Unicode-property
 * regexes when it loads: about 40 ms of CPU at every cas start, for laying out help text that
 * most runs never print. This plugin makes each such top-level constant a stand-in that builds
 * the real object on first use. Fails the build when a string-width has none left to defer, so
 * a new version that changed shape is noticed.
 */
export const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/](?:.*[\\/])?string-width[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      let deferred = 0;
      const contents = source.replace(/^const (\w+) = (new Intl\.Segmenter\(\)|\/.*\\p\{.*\/[a-z]*);$/gm, (_line, name, value) => {
        deferred++;
        return `const ${name} = __casLazy(() => ${value});`;
      });
      if (deferred === 0) {
        if (!/Intl\.Segmenter|\\p\{/.test(source)) return undefined;
        throw new Error(`lazy-string-width: nothing to defer in ${args.path}; update the plugin for this string-width`);
      }
      return { contents: `${LAZY_HELPER}\n${contents}`, loader: 'js' };
    });
  },
};

/** A stand-in for an object made on first use: every property read, call and write goes to it. */
const LAZY_HELPER = `const __casLazy = (make) => {
  let real;
  const target = () => (real ??= make());
  return new Proxy({}, {
    get(_, key) { const object = target(); const value = Reflect.get(object, key, object); return typeof value === 'function' ? value.bind(object) : value; },
    set(_, key, value) { return Reflect.set(target(), key, value); },
  });
};`;
