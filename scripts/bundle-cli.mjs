// Bundles the CLI into dist/cli-bundle/: main.js (the top level: command names, help, dispatch),
// yargs.js (the parser), and one whole file per command, command-<name>.js, loaded only when
// that command runs. Node spends most of cas's start-up finding, reading and compiling module
// files: one file per command, its code inlined (what it loads later too), whitespace and
// syntax minified, starts `cas request` about 20-40 ms sooner than esbuild's shared chunks
// (~30 files for one command) did. A module lives in one file only within a process, so
// identity holds: main.js shares no classes with the commands (it knows errors by name). The
// library (dist/index.js) stays unbundled, with its type declarations.
import { build } from 'esbuild';
import { lazyAtLoad } from './lazy-at-load.mjs';

const OUT = 'dist/cli-bundle';
const COMMAND_IMPORT = /^\.\/commands\/([\w-]+)\.js$/;

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Smaller to parse; identifiers stay, so a stack trace (CAS_DEBUG) still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __casCreateRequire } from 'node:module'; const require = __casCreateRequire(import.meta.url);" },
  // Optional native speed-ups of ws, absent unless the user installs them.
  external: ['bufferutil', 'utf-8-validate'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

/** In main.js: each command, and yargs, stay separate files, loaded by the dynamic import that names them. */
const commands = new Set();
const separateFiles = {
  name: 'separate-files',
  setup(build) {
    build.onResolve({ filter: COMMAND_IMPORT }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const name = COMMAND_IMPORT.exec(args.path)[1];
      commands.add(name);
      return { path: `./command-${name}.js`, external: true };
    });
    build.onResolve({ filter: /^yargs$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './yargs.js', external: true } : undefined));
  },
};

const results = [await build({ ...common, entryPoints: { main: 'src/cli/main.ts' }, outdir: OUT, plugins: [separateFiles, lazyAtLoad] })];
if (commands.size === 0) {
  console.error('bundle-cli: main.ts loads no ./commands/<name>.js: the command registry changed shape; update this script');
  process.exit(1);
}
results.push(await build({ ...common, stdin: { contents: "export { default } from 'yargs';", resolveDir: process.cwd(), loader: 'js' }, outfile: `${OUT}/yargs.js`, plugins: [lazyAtLoad] }));
const entryPoints = Object.fromEntries([...commands].map((name) => [`command-${name}`, `src/cli/commands/${name}.ts`]));
results.push(await build({ ...common, entryPoints, outdir: OUT, plugins: [lazyAtLoad] }));

// `import { z } from 'zod'` hands the bundler zod's namespace as a value, which pulls in all of
// zod (every locale: ~600 kB that each command would compile at start); `import * as z` lets it
// keep only what is used.
const bundled = results.flatMap((result) => Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, use]) => use.bytesInOutput > 0).map(([input]) => input)));
const locales = bundled.filter((input) => /node_modules\/zod\/.*\/locales\/(?!(en|index)\.js$)/.test(input));
if (locales.length > 0) {
  console.error(`bundle-cli: zod's locales were bundled (${locales.length} files): import zod as \`import * as z from 'zod'\`, not \`import { z }\``);
  process.exit(1);
}
