import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFaultsFile } from '../../../src/cli/import-command.ts';
import { loadRelayProfileFile } from '../../../src/harness/relay/profile-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-plain-file-'));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('every file a user gives is read as untrusted input (issue 11)', () => {
  it('a relay profile that is a FIFO is refused at once', () => {
    const path = join(dir, 'x.profile.yaml');
    execFileSync('mkfifo', [path]);
    const script = `import { loadRelayProfileFile } from './src/harness/relay/profile-file.ts';
try { loadRelayProfileFile(${JSON.stringify(path)}); console.log('accepted'); } catch (e) { console.log(e.message); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, timeout: 20_000, encoding: 'utf8' });
    expect(child.signal, 'the loader blocked on the FIFO').toBeNull();
    expect(child.stdout.trim()).toBe(`cannot read relay profile ${path}: ${path} is a FIFO (named pipe), not a regular file: give the path of a .yaml or .json file`);
  });

  it('a relay profile or a --faults file with a YAML tag is refused', () => {
    const profile = join(dir, 'tag.profile.yaml');
    writeFileSync(profile, 'name: !!js/function "function () {}"\n');
    expect(() => loadRelayProfileFile(profile)).toThrow(/is not valid YAML: Unresolved tag: tag:yaml\.org,2002:js\/function/);
    const faults = join(dir, 'faults.yaml');
    writeFileSync(faults, '- { type: terminate, at: !!js/regexp /x/ }\n');
    expect(() => loadFaultsFile(faults)).toThrow(/--faults .*faults\.yaml: Unresolved tag/);
  });
});
