#!/usr/bin/env node
// The comfy-chaos command. An installed package runs its compiled JavaScript (dist/, built by
// `npm pack`'s prepack): no TypeScript at run time, a fast start. A checkout of the repository
// (src/ is there, dist/ is not shipped in git) runs the TypeScript source through tsx, so a
// contributor never runs a stale build; COMFY_CHAOS_USE_DIST=1 makes a checkout use dist/ too.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
const useSource = existsSync(source) && (process.env.COMFY_CHAOS_USE_DIST !== '1' || !existsSync(compiled));
let main;
if (useSource) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  process.stderr.write('comfy-chaos: this copy has neither dist/ (the build) nor src/ (the source); reinstall the package\n');
  process.exit(2);
}
process.exitCode = await main(process.argv.slice(2));
