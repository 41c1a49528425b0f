/** Every bundled client with known bugs (clients/), by label, as `bench/hunt.ts` hunts them (issue 15). */
const python = process.env.COMFY_CHAOS_PYTHON ?? '.tools/venv/bin/python';

export const huntClients: Record<string, string> = {
  'naive-no-reconnect': 'node clients/naive/no-reconnect.mjs',
  'naive-reconnect-no-resync': 'node clients/naive/reconnect-no-resync.mjs',
  'naive-strict-json': 'node clients/naive/strict-json.mjs',
  'python-naive': `${python} clients/python/naive_driver.py`,
  'comfy-ui-client': 'node clients/comfy-ui-client/driver.mjs',
  'saintno-comfyui-sdk': 'node clients/third-party/saintno-comfyui-sdk/driver.mjs',
  'stable-canvas': 'node clients/third-party/stable-canvas-comfyui-client/driver.mjs',
  comfyapi: `${python} clients/third-party/comfyapi/driver.py`,
  'comfy-toolkit': `${python} clients/third-party/comfy-toolkit/driver.py`,
  'comfyui-utils': `${python} clients/third-party/comfyui-utils/driver.py`,
  'comfyui-workflow-client': `${python} clients/third-party/comfyui-workflow-client/driver.py`,
};
