import { comfyuiProfile } from '../../protocol/index.ts';

/**
 * 0.3.64 behind a reverse proxy that publishes it under a path prefix and forwards only the
 * `/api/...` form of the routes, which is all the official frontend calls (ComfyUI registers every
 * route twice, the `/api` copies "for the frontend dev server, which needs to forward everything
 * except static files": server.py add_routes). A client is given `<origin>/comfyui/api` as base.
 */
export const gatewayApiPrefix = comfyuiProfile.parse({
  name: 'gateway-api-prefix',
  summary: 'ComfyUI 0.3.64 behind a proxy at /comfyui that forwards only /api/... routes',
  comfyuiVersion: '0.3.64',
  front: { prefix: '/comfyui', apiOnly: true },
  sources: [
    'Comfy-Org/ComfyUI server.py 5e14d797 add_routes (read): every route also at /api<path>, for fronts that forward only /api',
    'shared/comfyui-protocol.md §1, §4: the official UI calls <base>/api/... and <base>/ws',
  ],
});
