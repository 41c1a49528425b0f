import type { SimulatorCore } from '../simulator-core.ts';
import { staticContentType } from '../frontend/static-files.ts';
import { route, type Route } from './comfy-routes.ts';
import { readJsonBody } from './json-body.ts';
import { decodePercentLenient } from './percent-decoding.ts';
import { emptyResponse, jsonResponse, textResponse, type SimRequest, type SimResponse } from './types.ts';
import { userFilesOf, userPath, type UserFileInfo, type UserFiles } from './user-store.ts';

/**
 * ComfyUI's user routes (app/user_manager.py, app/app_settings.py; docs/comfyui-protocol.md,
 * "Frontend routes"): `/users`, `/settings[/{id}]`, `/userdata[/{file}[/move/{dest}]]` and
 * `/v2/userdata`, for the single user `default` of a server without `--multi-user` (the
 * `comfy-user` header is ignored, as there). Settings live in the user's `comfy.settings.json`,
 * so `/userdata` sees them as ComfyUI's does.
 */

const USER = 'default';
const SETTINGS_FILE = 'comfy.settings.json';

function files(core: SimulatorCore): UserFiles {
  return userFilesOf(core);
}

function readSettings(store: UserFiles): Record<string, unknown> {
  const bytes = store.read(USER, SETTINGS_FILE);
  if (!bytes) return {};
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function writeSettings(store: UserFiles, settings: Record<string, unknown>): void {
  store.write(USER, SETTINGS_FILE, new TextEncoder().encode(JSON.stringify(settings, null, 4)));
}

/** The JSON body, or a 400 naming the route (ComfyUI's uncaught JSONDecodeError is a 500). */
function jsonOr400(request: SimRequest, core: SimulatorCore, name: string): { value: unknown } | SimResponse {
  const body = readJsonBody(request, core.limits.maxJsonDepth);
  return body.ok ? { value: body.value } : textResponse(`${name}: ${body.error}`, 400);
}

function settingId(request: SimRequest): string {
  return decodePercentLenient(request.path.slice('/settings/'.length));
}

const settingsRoutes: Route[] = [
  route.get('/settings', (_r, _p, core) => jsonResponse(readSettings(files(core)))),
  route.post('/settings', (request, _p, core) => {
    const body = jsonOr400(request, core, 'POST /settings');
    if (!('value' in body)) return body;
    if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
      return textResponse('POST /settings: the body must be a JSON object of setting ids to values', 400);
    }
    writeSettings(files(core), { ...readSettings(files(core)), ...(body.value as Record<string, unknown>) });
    return emptyResponse();
  }),
  route.get('/settings/*', (request, _p, core) => {
    if (request.path.slice('/settings/'.length).includes('/')) return undefined;
    const settings = readSettings(files(core));
    const id = settingId(request);
    return jsonResponse(Object.hasOwn(settings, id) ? settings[id] : null);
  }),
  route.post('/settings/*', (request, _p, core) => {
    if (request.path.slice('/settings/'.length).includes('/')) return undefined;
    const body = jsonOr400(request, core, `POST ${request.path}`);
    if (!('value' in body)) return body;
    const settings = readSettings(files(core));
    settings[settingId(request)] = body.value;
    writeSettings(files(core), settings);
    return emptyResponse();
  }),
];

const usersRoutes: Route[] = [
  route.get('/users', (_r, _p, core) => jsonResponse({ storage: 'server', migrated: files(core).hasRoot(USER) })),
  // Without --multi-user ComfyUI still adds the user and answers its id; the simulator keeps one user.
  route.post('/users', () => jsonResponse({ error: 'comfy-chaos simulates a server without --multi-user: only the user "default" exists' }, 400)),
];

function queryFlag(request: SimRequest, name: string): boolean {
  return (request.query.get(name) ?? '').toLowerCase() === 'true';
}

/** GET /userdata?dir=&recurse=&full_info=&split=: files only, hidden names skipped (Python's glob). */
function listUserdata(request: SimRequest, core: SimulatorCore): SimResponse {
  const requested = request.query.get('dir') ?? '';
  if (!requested) return textResponse('Directory not provided', 400);
  const dir = userPath(decodePercentLenient(requested));
  if (dir === undefined) return textResponse('Invalid directory', 403);
  const store = files(core);
  if (store.kind(USER, dir) !== 'directory') return textResponse('Directory not found', 404);
  const recurse = queryFlag(request, 'recurse');
  const prefix = dir === '' ? '' : dir + '/';
  const found = store
    .list(USER, dir)
    .map((file) => ({ ...file, path: file.path.slice(prefix.length) }))
    .filter((file) => (recurse || !file.path.includes('/')) && !file.path.split('/').some((part) => part.startsWith('.')));
  if (queryFlag(request, 'full_info')) return jsonResponse(found);
  if (queryFlag(request, 'split')) return jsonResponse(found.map((file) => [file.path, ...file.path.split('/')]));
  return jsonResponse(found.map((file) => file.path));
}

/** GET /v2/userdata?path=: directories first, then files, each by lower-cased name. */
function listUserdataV2(request: SimRequest, core: SimulatorCore): SimResponse {
  const requested = decodePercentLenient(request.query.get('path') ?? '');
  const dir = userPath(requested);
  if (dir === undefined) return textResponse('Invalid path requested', 400);
  const store = files(core);
  const kind = store.kind(USER, dir);
  if (kind === undefined) return dir === '' ? jsonResponse([]) : textResponse('Requested path not found', 404);
  if (kind !== 'directory') return textResponse('Requested path is not a directory', 400);
  const prefix = dir === '' ? '' : dir + '/';
  const directories = new Set<string>();
  const entries: Record<string, unknown>[] = [];
  for (const file of store.list(USER, dir)) {
    const parts = file.path.slice(prefix.length).split('/');
    for (let i = 1; i < parts.length; i++) directories.add(prefix + parts.slice(0, i).join('/'));
    // ComfyUI's v2 listing reports mtime in seconds (os.stat's st_mtime).
    entries.push({ name: parts[parts.length - 1], path: file.path, type: 'file', size: file.size, modified: file.modified / 1000 });
  }
  for (const path of directories) entries.push({ name: path.slice(path.lastIndexOf('/') + 1), path, type: 'directory' });
  entries.sort((a, b) => {
    const byType = Number(a.type !== 'directory') - Number(b.type !== 'directory');
    return byType || String(a.name).toLowerCase().localeCompare(String(b.name).toLowerCase());
  });
  return jsonResponse(entries);
}

/** `/userdata/{file}` and `/userdata/{file}/move/{dest}`: each one path segment, `/` sent as %2F. */
function userdataTarget(request: SimRequest): { file: string; dest?: string } | undefined {
  const segments = request.path.slice('/userdata/'.length).split('/');
  if (segments.length === 1 && segments[0]) return { file: decodePercentLenient(segments[0]) };
  if (segments.length === 3 && segments[1] === 'move' && segments[0] && segments[2]) {
    return { file: decodePercentLenient(segments[0]), dest: decodePercentLenient(segments[2]) };
  }
  return undefined;
}

function fileReply(request: SimRequest, store: UserFiles, path: string): SimResponse {
  if (queryFlag(request, 'full_info')) return jsonResponse(store.info(USER, path) satisfies UserFileInfo | undefined);
  return jsonResponse(path);
}

const userdataRoutes: Route[] = [
  route.get('/userdata', (request, _p, core) => listUserdata(request, core)),
  route.get('/v2/userdata', (request, _p, core) => listUserdataV2(request, core)),
  route.get('/userdata/*', (request, _p, core) => {
    const target = userdataTarget(request);
    if (!target || target.dest !== undefined) return undefined;
    const path = userPath(target.file);
    if (path === undefined || path === '') return emptyResponse(403);
    const bytes = files(core).read(USER, path);
    if (!bytes) return emptyResponse(404);
    return { status: 200, headers: { 'content-type': staticContentType(path) }, body: bytes };
  }),
  route.post('/userdata/*', (request, _p, core) => {
    const target = userdataTarget(request);
    if (!target) return undefined;
    const store = files(core);
    const overwrite = request.query.get('overwrite') !== 'false';
    const from = userPath(target.file);
    if (from === undefined || from === '') return emptyResponse(403);
    if (target.dest === undefined) {
      if (!overwrite && store.kind(USER, from) !== undefined) return textResponse('File already exists', 409);
      if (store.kind(USER, from) === 'directory') return textResponse('Invalid filename: a directory has that name', 400);
      store.write(USER, from, request.body);
      return fileReply(request, store, from);
    }
    if (store.kind(USER, from) !== 'file') return emptyResponse(404);
    const to = userPath(target.dest);
    if (to === undefined || to === '') return emptyResponse(403);
    if (!overwrite && store.kind(USER, to) !== undefined) return textResponse('File already exists', 409);
    store.move(USER, from, to);
    return fileReply(request, store, to);
  }),
  {
    method: 'DELETE',
    path: '/userdata/*',
    handle: (request, _p, core) => {
      const target = userdataTarget(request);
      if (!target || target.dest !== undefined) return undefined;
      const path = userPath(target.file);
      if (path === undefined || path === '') return emptyResponse(403);
      return files(core).remove(USER, path) ? emptyResponse(204) : emptyResponse(404);
    },
  },
];

export const userRoutes: Route[] = [...usersRoutes, ...settingsRoutes, ...userdataRoutes];
