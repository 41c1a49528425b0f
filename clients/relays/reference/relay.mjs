#!/usr/bin/env node
// Runs the reference relay: its compiled relay.js when this file sits in an installed package's
// dist/ (the build copies it there), otherwise relay.ts through tsx (as bin/comfy-chaos.js does
// in a checkout), so plain `node relay.mjs` works in both.
import { existsSync } from 'node:fs';

if (existsSync(new URL('./relay.js', import.meta.url))) {
  await import('./relay.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./relay.ts');
}
