import { comfyRoutes, type Route } from './comfy-routes.ts';

/** Every built-in route, in the order they are tried. */
export const allRoutes: Route[] = [...comfyRoutes];
