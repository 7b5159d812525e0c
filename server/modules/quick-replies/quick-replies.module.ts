// The quick-replies module: Quick replies (personal and shared), favorites, CSV import/export.
import { defineModule } from '../../core/module.js';
import { QuickReplyEntity, QuickReplyFavoriteEntity } from './quick-reply.entity.js';
import { quickReplyRoutes } from './quick-replies.routes.js';

export const quickRepliesModule = defineModule({
  name: 'quick-replies',
  entities: [QuickReplyEntity, QuickReplyFavoriteEntity],
  routes: () => quickReplyRoutes,
});
