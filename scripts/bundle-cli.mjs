// Bundles the CLI into dist/cli-bundle/: one file per command, loaded only when it runs. Node
// spends most of cas's start-up resolving and reading hundreds of small module files (yargs,
// zod, ...); a bundle cuts `cas --help` from ~0.7 s to ~0.2 s. The library (dist/index.js)
// stays unbundled, with its type declarations.
import { build } from 'esbuild';
import { lazyAtLoad } from './lazy-at-load.mjs';

const result = await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/cli-bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __casCreateRequire } from 'node:module'; const require = __casCreateRequire(import.meta.url);" },
  // Optional native speed-ups of ws, absent unless the user installs them.
  external: ['bufferutil', 'utf-8-validate'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [lazyAtLoad],
});

// `import { z } from 'zod'` hands the bundler zod's namespace as a value, which pulls in all of
// zod (every locale: ~600 kB that each command would compile at start); `import * as z` lets it
// keep only what is used.
const bundled = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, use]) => use.bytesInOutput > 0).map(([input]) => input));
const locales = bundled.filter((input) => /node_modules\/zod\/.*\/locales\/(?!en\.js$)/.test(input));
if (locales.length > 0) {
  console.error(`bundle-cli: zod's locales were bundled (${locales.length} files): import zod as \`import * as z from 'zod'\`, not \`import { z }\``);
  process.exit(1);
}
