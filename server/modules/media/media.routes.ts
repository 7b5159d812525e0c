import type { AnyRoute } from '../../core/http/registry.js';

export const mediaRoutes: AnyRoute[] = [];
