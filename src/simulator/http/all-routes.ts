import { comfyRoutes, route, type Route } from './comfy-routes.ts';
import { frontendInfoRoutes } from './frontend-info-routes.ts';
import { jobsRoutes } from './jobs-routes.ts';
import { userRoutes } from './user-routes.ts';
import { uploadImage, uploadMask, viewFile } from './file-routes.ts';
import { readEmbeddings, readExtensions, readFeatures, readModels, readObjectInfo, readSystemStats } from './info-routes.ts';

/** Every built-in route, in the order they are tried. */
export const allRoutes: Route[] = [
  ...comfyRoutes,
  route.get('/view', (req, _p, core) => viewFile(req, core.files)),
  route.post('/upload/image', (req, _p, core) => uploadImage(req, core.files)),
  route.post('/upload/mask', (req, _p, core) => uploadMask(req, core.files)),
  route.get('/system_stats', (req, _p, core) => readSystemStats(req, {}, core.profile)),
  route.get('/object_info', (req, _p, core) => readObjectInfo(req, core.files, core.catalogue)),
  route.get('/object_info/*', (req, _p, core) => readObjectInfo(req, core.files, core.catalogue)),
  route.get('/features', (req, _p, core) => (core.profile.featureFlags === null ? undefined : readFeatures(req, core.profile))),
  route.get('/embeddings', (req) => readEmbeddings(req)),
  route.get('/extensions', (req) => readExtensions(req)),
  route.get('/models', (req) => readModels(req)),
  route.get('/models/*', (req) => readModels(req)),
  ...jobsRoutes,
  ...userRoutes,
  ...frontendInfoRoutes,
];
