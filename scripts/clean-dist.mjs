// Empties dist/ before a build: files of deleted sources and the bundle's old hashed chunks would
// otherwise stay there and be packed into the published tarball.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
