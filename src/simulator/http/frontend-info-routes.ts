import { isFolderType } from '../files/file-store.ts';
import { modelFilesIn } from '../nodes/model-loader-nodes.ts';
import type { SimulatorCore } from '../simulator-core.ts';
import { route, type Route } from './comfy-routes.ts';
import { modelFolders } from './info-routes.ts';
import { decodePercentLenient } from './percent-decoding.ts';
import { emptyResponse, jsonResponse, type SimRequest, type SimResponse } from './types.ts';

/**
 * The read-mostly routes the official frontend calls at start-up and in its panels (server.py,
 * app/model_manager.py, api_server/routes/internal/internal_routes.py; docs/comfyui-protocol.md,
 * "Frontend routes"). A simulated install: no custom nodes (so no translations or custom-node
 * templates), the models the node catalogue lists, a log with the start-up lines.
 */

/** Where the simulated install keeps its folders (what `/internal/folder_paths` shows). */
const INSTALL_ROOT = '/comfyui';

/** The start-up lines of the simulated server's log, as `app.logger` keeps them: `t` an ISO time, `m` the text. */
function logEntries(): { t: string; m: string }[] {
  const t = new Date(0).toISOString().replace('Z', '');
  return [
    { t, m: 'comfy-chaos simulator: a ComfyUI without a GPU (no models are loaded, images are generated)\n' },
    { t, m: 'To see the GUI go to: http://127.0.0.1:8188\n' },
  ];
}

function folderPaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const folder of modelFolders) paths[folder] = [folder === 'custom_nodes' ? `${INSTALL_ROOT}/custom_nodes` : `${INSTALL_ROOT}/models/${folder}`];
  return paths;
}

/** The files of a model folder of the simulated install. */
const modelFiles = modelFilesIn;

function lastSegment(request: SimRequest, prefix: string): string | undefined {
  const rest = request.path.slice(prefix.length);
  return rest && !rest.includes('/') ? decodePercentLenient(rest) : undefined;
}

function internalFiles(request: SimRequest, core: SimulatorCore): SimResponse | undefined {
  const type = lastSegment(request, '/internal/files/');
  if (type === undefined) return undefined;
  if (!isFolderType(type)) return jsonResponse({ error: 'Invalid directory type' }, 400);
  // ComfyUI sorts newest first; the simulator's store keeps no times, so the newest name (the highest counter) leads.
  return jsonResponse([...core.files.list(type)].reverse());
}

export const frontendInfoRoutes: Route[] = [
  // No custom nodes: no translations to merge and no custom-node example workflows.
  route.get('/i18n', () => jsonResponse({})),
  route.get('/workflow_templates', () => jsonResponse({})),
  // Subgraph blueprints (app/subgraph_manager.py): none without custom nodes or blueprint files.
  route.get('/global_subgraphs', () => jsonResponse({})),
  // Node replacement suggestions (app/node_replacement... in current ComfyUI, after 0.3.64): none.
  // Gated on the jobs API, the other post-0.3.64 addition the profiles know about, until the profile schema has a field of its own.
  route.get('/node_replacements', (_r, _p, core) => (core.profile.jobsApi ? jsonResponse({}) : undefined)),
  // The logo map of newer comfyui-workflow-templates packages; no templates, no logos.
  route.get('/templates/index_logo.json', () => jsonResponse({})),
  // The comfyui-workflow-templates package is not simulated: an empty template index.
  route.get('/templates/index.json', () => jsonResponse([])),
  route.get('/experiment/models', () =>
    jsonResponse(
      modelFolders
        .filter((folder) => folder !== 'configs' && folder !== 'custom_nodes')
        .map((folder) => ({ name: folder, folders: [`${INSTALL_ROOT}/models/${folder}`] })),
    ),
  ),
  route.get('/experiment/models/*', (request) => {
    const folder = lastSegment(request, '/experiment/models/');
    if (folder === undefined) return undefined;
    if (!(modelFolders as readonly string[]).includes(folder)) return emptyResponse(404);
    return jsonResponse(modelFiles(folder).map((name) => ({ name, pathIndex: 0, modified: 1_700_000_000, created: 1_700_000_000, size: 2_132_625_894 })));
  }),
  route.get('/view_metadata/*', (request) => {
    const folder = lastSegment(request, '/view_metadata/');
    const filename = request.query.get('filename');
    if (folder === undefined || filename === null || !filename.endsWith('.safetensors')) return emptyResponse(404);
    // A simulated checkpoint's header carries the metadata torch's safetensors writer puts in.
    return modelFiles(folder).includes(filename) ? jsonResponse({ format: 'pt' }) : emptyResponse(404);
  }),
  route.post('/free', () => emptyResponse()),
  route.get('/internal/logs', () => jsonResponse(logEntries().map((entry) => `${entry.t} - ${entry.m}`).join(''))),
  route.get('/internal/logs/raw', () => jsonResponse({ entries: logEntries(), size: { cols: 80, rows: 24 } })),
  { method: 'PATCH', path: '/internal/logs/subscribe', handle: () => emptyResponse() },
  route.get('/internal/folder_paths', () => jsonResponse(folderPaths())),
  route.get('/internal/files/*', (request, _p, core) => internalFiles(request, core)),
];
