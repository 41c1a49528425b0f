#!/usr/bin/env node
// The comfy-chaos command. An installed package runs its compiled JavaScript (dist/, built by
// `npm pack`'s prepack): no TypeScript at run time, a fast start. A checkout of the repository
// (src/ is there, dist/ is not shipped in git) runs the TypeScript source through tsx, so a
// contributor never runs a stale build; COMFY_CHAOS_USE_DIST=1 makes a checkout use dist/ too.
import { existsSync } from 'node:fs';

// `comfy-chaos list | head`: a reader that went away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Under `npx comfy-chaos` (or an npm script) npm is our parent, and a `kill` of npm ends npm
// without passing the signal on: we would keep running, orphaned. So when npm started us and
// our parent goes away, we stop as if we had been sent SIGTERM (src/cli/stop-on-signals.ts).
if (process.env.npm_execpath && process.platform !== 'win32') {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 250).unref();
}

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
