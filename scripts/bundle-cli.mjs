// Bundles the CLI into dist/cli-bundle/: one file per command, loaded only when it runs. Node
// spends most of cas's start-up resolving and reading hundreds of small module files (yargs,
// zod, ...); a bundle cuts `cas --help` from ~0.7 s to ~0.2 s. The library (dist/index.js)
// stays unbundled, with its type declarations.
import { build } from 'esbuild';

await build({
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
});
