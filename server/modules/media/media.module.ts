// The media module: Media files: uploads, downloads, thumbnails, S3.
import { defineModule } from '../../core/module.js';
import { MediaEntity } from './media.entity.js';
import { mediaRoutes } from './media.routes.js';

export const mediaModule = defineModule({
  name: 'media',
  entities: [MediaEntity],
  routes: () => mediaRoutes,
});
