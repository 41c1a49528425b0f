import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, ScenarioFileError } from '../../../src/scenarios/scenario-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-scenario-file-'));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const valid = `id: "9.1"
name: ok
purpose: a valid file
jobs:
  - id: j1
    prompt: { "1": { class_type: SimSleep, inputs: { duration_ms: 10, steps: 1, value: a } }, "2": { class_type: PreviewAny, inputs: { source: ["1", 0] } } }
`;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function loadError(path: string): ScenarioFileError {
  try {
    loadScenarioFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioFileError);
    return error as ScenarioFileError;
  }
  throw new Error(`${path} was accepted`);
}

describe('loadScenarioFile (issue 11)', () => {
  it('loads a valid file', () => {
    expect(loadScenarioFile(write('ok.yaml', valid)).map((s) => s.name)).toEqual(['ok']);
  });

  it('refuses a YAML tag such as !!js/function instead of reading it as a string', () => {
    const error = loadError(write('tag.yaml', `${valid}cites: !!js/function "function () { return 1 }"\n`));
    expect(error.code).toBe('CC_ERR_SCENARIO_FILE');
    expect(error.message).toMatch(/is not valid YAML: Unresolved tag: tag:yaml\.org,2002:js\/function .*tags are not supported here/s);
  });

  it('refuses duplicate keys', () => {
    expect(loadError(write('dup.yaml', `${valid}name: again\n`)).message).toMatch(/Map keys must be unique/);
  });

  it('refuses a directory named like a scenario file', () => {
    const path = join(dir, 'folder.yaml');
    execFileSync('mkdir', ['-p', path]);
    expect(loadError(path).message).toBe(`scenario file ${path} is a directory, not a regular file: give the path of a .yaml or .json file`);
  });

  it('refuses a file larger than 16 MiB without reading it', () => {
    const path = join(dir, 'huge.json');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 17 * 1024 * 1024); // sparse: nothing is written
    closeSync(fd);
    expect(loadError(path).message).toBe(`scenario file ${path} has ${17 * 1024 * 1024} bytes; such a file has at most 16777216 (16 MiB)`);
  });

  it('refuses a FIFO named .yaml at once instead of waiting for a writer for ever', () => {
    const path = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [path]);
    // In a child process: if the loader blocked on the FIFO, this test must fail by its timeout, not hang vitest's worker.
    const script = `import { loadScenarioFile } from './src/scenarios/scenario-file.ts';
try { loadScenarioFile(${JSON.stringify(path)}); console.log('accepted'); } catch (e) { console.log(e.message); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, timeout: 20_000, encoding: 'utf8' });
    expect(child.signal, 'the loader blocked on the FIFO').toBeNull();
    expect(child.stdout.trim()).toBe(`scenario file ${path} is a FIFO (named pipe), not a regular file: give the path of a .yaml or .json file`);
  });
});
