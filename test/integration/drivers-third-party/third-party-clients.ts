/**
 * The bundled third-party clients (clients/third-party, issue 12): the command that runs each
 * driver, and whether this machine has them installed (scripts/install-python-drivers.sh for the
 * PyPI ones, scripts/install-npm-clients.sh for the npm one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const thirdPartyClients = ['comfy-toolkit', 'comfyapi', 'comfyui-utils', 'comfyui-workflow-client', 'stable-canvas-comfyui-client', 'saintno-comfyui-sdk'] as const;
export type ThirdPartyClient = (typeof thirdPartyClients)[number];

/** The npm clients: a folder of their own with the package installed in its node_modules. */
const npmPackages: Partial<Record<ThirdPartyClient, string>> = {
  'stable-canvas-comfyui-client': '@stable-canvas/comfyui-client',
  'saintno-comfyui-sdk': '@saintno/comfyui-sdk',
};

/** The Python module each PyPI library installs, to check that the venv has it. */
const pythonModules: Partial<Record<ThirdPartyClient, string>> = {
  'comfy-toolkit': 'comfy_toolkit',
  comfyapi: 'comfyapi',
  'comfyui-utils': 'comfyui_utils',
  'comfyui-workflow-client': 'comfyuiclient',
};

const python = process.env.COMFY_CHAOS_PYTHON || join(repoRoot, '.tools/venv/bin/python');

/** The driver's command line (a `--client` spec), with absolute paths. */
export function commandOf(client: ThirdPartyClient): string {
  const dir = join(repoRoot, 'clients/third-party', client);
  return npmPackages[client] ? `${process.execPath} ${join(dir, 'driver.mjs')}` : `${python} ${join(dir, 'driver.py')}`;
}

/** Why the bundled clients cannot run here (what to install), or undefined when they all can. */
export function missingClients(): string | undefined {
  const modules = Object.values(pythonModules).join(', ');
  if (!existsSync(python)) return `no Python venv at ${python}; run scripts/install-python-drivers.sh`;
  const check = spawnSync(python, ['-c', `import ${modules}`], { encoding: 'utf8', timeout: 30_000 });
  if (check.status !== 0) {
    const why = (check.stderr || check.error?.message || '').trim().split('\n').at(-1);
    return `${python} cannot import ${modules} (${why}); run scripts/install-python-drivers.sh`;
  }
  for (const [client, name] of Object.entries(npmPackages)) {
    if (!existsSync(join(repoRoot, 'clients/third-party', client, 'node_modules', name!, 'package.json'))) {
      return `${name} is not installed in clients/third-party/${client}; run scripts/install-npm-clients.sh`;
    }
  }
  return undefined;
}
