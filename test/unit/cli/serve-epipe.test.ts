import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { keepServingWithoutOutput } from '../../../src/cli/serve-command.ts';

describe('keepServingWithoutOutput', () => {
  it('replaces an exit-on-EPIPE handler: a reader that went away neither ends nor fails serve', () => {
    const stream = new EventEmitter();
    let exited = false;
    stream.on('error', () => {
      exited = true; // bin/comfy-chaos.js's handler ends the process on EPIPE
    });
    const before = process.exitCode;
    keepServingWithoutOutput(stream as unknown as NodeJS.WriteStream);
    expect(() => stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).not.toThrow();
    expect(exited).toBe(false);
    expect(process.exitCode).toBe(before);
  });
});
