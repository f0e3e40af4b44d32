// Bundles the CLI into dist/cli-bundle/: main.cjs (the top level: command names, help, dispatch),
// yargs.cjs (the parser), and one whole file per command, command-<name>.cjs, loaded only when
// that command runs. Node spends most of cas's start-up reading and compiling code:
// - one file per command, its code inlined (what it loads later too), whitespace and syntax
//   minified, starts `cas request` about 20-40 ms sooner than esbuild's shared chunks (~30 files);
// - CommonJS, so main.cjs loads yargs and the command through src/cli/compile-cache/load-bundle.ts,
//   which keeps V8's compiled code between runs (Node 20 has no compile cache of its own): about
//   70 ms less CPU for each `cas request` once the cache is warm.
// A module lives in one file only within a process, so identity holds: main.cjs shares no classes
// with the commands (it knows errors by name). The library (dist/index.js) stays unbundled ESM,
// with its type declarations.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { lazyAtLoad } from './lazy-at-load.mjs';

const OUT = 'dist/cli-bundle';
const COMMAND_IMPORT = /^\.\/commands\/([\w-]+)\.js$/;
const LOAD_BUNDLE = path.resolve('src/cli/compile-cache/load-bundle.ts');

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.cjs' },
  // Smaller to parse; identifiers stay, so a stack trace (CAS_DEBUG) still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  // Code that finds files beside its own (package.json, the pinned codex) reads import.meta.url.
  define: { 'import.meta.url': '__casImportMetaUrl' },
  banner: { js: "const __casImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Optional native speed-ups of ws, absent unless the user installs them.
  external: ['bufferutil', 'utf-8-validate'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

/**
 * In main.cjs: each command, and yargs, stay separate files. The dynamic import that names one
 * becomes a small module that loads it through loadBundle, with its compiled code cached under
 * its content hash (`hashes`, known once the bundles are built; a first pass, unwritten, only finds the commands).
 */
const commands = new Set();
const separateFiles = (hashes) => ({
  name: 'separate-files',
  setup(build) {
    build.onResolve({ filter: COMMAND_IMPORT }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const name = COMMAND_IMPORT.exec(args.path)[1];
      commands.add(name);
      return { path: `command-${name}.cjs`, namespace: 'cas-bundle' };
    });
    build.onResolve({ filter: /^yargs$/ }, (args) => (args.kind === 'dynamic-import' ? { path: 'yargs.cjs', namespace: 'cas-bundle' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'cas-bundle' }, (args) => {
      const key = hashes?.[args.path];
      if (hashes !== undefined && key === undefined) throw new Error(`no content hash for ${args.path}: it was not built`);
      return {
        contents: `const { loadBundle } = require(${JSON.stringify(LOAD_BUNDLE)});\nmodule.exports = loadBundle(require('node:path').join(__dirname, ${JSON.stringify(args.path)}), { key: ${JSON.stringify(key ?? 'unbuilt')} });`,
        loader: 'js',
        resolveDir: process.cwd(),
      };
    });
  },
});

const mainOptions = { ...common, entryPoints: { main: 'src/cli/main.ts' }, outdir: OUT, plugins: [separateFiles(undefined), lazyAtLoad], write: false };
await build(mainOptions);
if (commands.size === 0) {
  console.error('bundle-cli: main.ts loads no ./commands/<name>.js: the command registry changed shape; update this script');
  process.exit(1);
}
// Its exports are yargs itself: main's `import('yargs')` reads `default` of them as Node would.
// yargs's `assert` is scripts/shims/assert-when-failing.cjs: Node's loads only when a check fails.
const results = [
  await build({ ...common, stdin: { contents: "module.exports = require('yargs').default;", resolveDir: process.cwd(), loader: 'js' }, outfile: `${OUT}/yargs.cjs`, alias: { assert: './scripts/shims/assert-when-failing.cjs' }, plugins: [lazyAtLoad] }),
];
const entryPoints = Object.fromEntries([...commands].map((name) => [`command-${name}`, `src/cli/commands/${name}.ts`]));
results.push(await build({ ...common, entryPoints, outdir: OUT, plugins: [lazyAtLoad] }));
const hashes = Object.fromEntries(results.flatMap((result) => Object.keys(result.metafile.outputs)).map((file) => [path.basename(file), createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 32)]));
results.push(await build({ ...mainOptions, plugins: [separateFiles(hashes), lazyAtLoad], write: true }));

const outputs = results.flatMap((result) => Object.entries(result.metafile.outputs));
// A vm.Script has no callback for import() (one given is lost when V8's cached data is used): the bundles loadBundle runs must not use it.
const importing = outputs.map(([file]) => file).filter((file) => !file.endsWith('/main.cjs') && /\bimport\(/.test(readFileSync(file, 'utf8')));
if (importing.length > 0) {
  console.error(`bundle-cli: ${importing.join(', ')} call import(), which fails in code loadBundle runs: import statically, or mark the module external in main.cjs only`);
  process.exit(1);
}

// `import { z } from 'zod'` hands the bundler zod's namespace as a value, which pulls in all of
// zod (every locale: ~600 kB that each command would compile at start); `import * as z` lets it
// keep only what is used.
const bundled = outputs.flatMap(([, output]) => Object.entries(output.inputs).filter(([, use]) => use.bytesInOutput > 0).map(([input]) => input));
const locales = bundled.filter((input) => /node_modules\/zod\/.*\/locales\/(?!(en|index)\.js$)/.test(input));
if (locales.length > 0) {
  console.error(`bundle-cli: zod's locales were bundled (${locales.length} files): import zod as \`import * as z from 'zod'\`, not \`import { z }\``);
  process.exit(1);
}
