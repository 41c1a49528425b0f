#!/usr/bin/env node
// Builds the npm package's JavaScript (npm runs this in `prepack`; the checkout itself runs from
// source through tsx and never needs it). tsc compiles src/ and the reference relay into dist/
// (tsconfig.build.json); then this script
// - rewrites relative `.ts` specifiers in the declaration files to `.js` (tsc rewrites them in
//   the JavaScript only), so a consumer's `tsc` resolves the types without allowImportingTsExtensions;
// - copies the data files the modules read at run time (toxiproxy.version, the reference relay's
//   profiles and its launcher) beside the compiled modules.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
} catch {
  // tsc emits even when it finds type errors; a package must not be built from code that does not type-check.
  console.error('build-package: tsc reported the errors above; fix them (npx tsc --noEmit) and pack again');
  if (!process.argv.includes('--allow-type-errors')) process.exit(1);
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let rewritten = 0;
for (const file of files(dist)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
  if (fixed !== text) {
    writeFileSync(file, fixed);
    rewritten++;
  }
}

const copies = [
  'src/harness/toxiproxy/toxiproxy.version',
  ...readdirSync(join(root, 'clients/relays/reference'))
    .filter((f) => /\.profile\.ya?ml$/.test(f) || f === 'relay.mjs')
    .map((f) => `clients/relays/reference/${f}`),
];
for (const file of copies) {
  if (!existsSync(join(root, file))) throw new Error(`build-package: ${file} is missing`);
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  copyFileSync(join(root, file), join(dist, file));
}
process.stderr.write(`build-package: dist/ built in ${((Date.now() - started) / 1000).toFixed(1)}s (${rewritten} declaration files rewritten, ${copies.length} data files copied)\n`);
