// The transfers module: Transfers of conversations between agents and divisions.
import { defineModule } from '../../core/module.js';
import { ConversationTransferEntity } from './transfer.entity.js';
import { transferRoutes } from './transfers.routes.js';

export const transfersModule = defineModule({
  name: 'transfers',
  entities: [ConversationTransferEntity],
  routes: () => transferRoutes,
  pushedEvents: ['conversation.transferred'],
});
