#!/usr/bin/env node
// Runs relay.ts through tsx (as bin/comfy-chaos.js does), so plain `node relay.mjs` works.
import { register } from 'tsx/esm/api';

register();
await import('./relay.ts');
