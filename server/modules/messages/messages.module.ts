// The messages module: Messages: sending with durable ordered delivery, inbound ingestion, statuses, search.
import { defineModule } from '../../core/module.js';
import { MessageEntity } from './message.entity.js';
import { messageRoutes } from './messages.routes.js';
import { messageJobs } from './messages.jobs.js';
import { MessageSendAttempt1733620000000 } from './messages.migration.js';
import { MessageSearchIndexBehind1733680000000 } from './search-index.migration.js';
import { MessageClientIdIndexPartial1733710000000 } from './client-message-index.migration.js';
import { startSearchIndexer } from './search-index.js';

export const messagesModule = defineModule({
  name: 'messages',
  entities: [MessageEntity],
  migrations: [MessageSendAttempt1733620000000, MessageSearchIndexBehind1733680000000, MessageClientIdIndexPartial1733710000000],
  routes: () => messageRoutes,
  jobs: messageJobs,
  // Sending mostly waits on the channel (tens of milliseconds a call): many conversations' replies go
  // out at once, each conversation's still in order (one queue each). 128 at a time: at 50 ms a call
  // that is room for about 2,500 sends/s, above what two numbers on Meta's highest tier (1,000/s each,
  // channels/send-rate.ts) take; 64 held delivery under 1,000/s (test/bench/README.md).
  jobOptions: {
    'message.send': { concurrency: 128, recoverPeers: true },
    'media.download': { concurrency: 4 },
  },
  pushedEvents: ['message.created', 'message.updated'],
  lifecycle: (services) => ({
    // The full-text index follows the messages within half a second (search-index.ts).
    async onListen() {
      return startSearchIndexer(services.db, (err) => services.log.error({ err }, 'messages could not be indexed for search'));
    },
  }),
});
