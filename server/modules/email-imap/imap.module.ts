// The email-imap module: mailboxes read by IMAP (IDLE where the server has it, else polled), a second
// way in beside the inbound email webhook, with durable per-folder cursors (UIDVALIDITY + last UID).
import { defineModule } from '../../core/module.js';
import { ImapCursorEntity } from './imap-cursor.entity.js';
import { ImapCursors1733600000000 } from './imap.migration.js';
import { ImapReader } from './imap.service.js';

export const emailImapModule = defineModule({
  name: 'email-imap',
  entities: [ImapCursorEntity],
  migrations: [ImapCursors1733600000000],
  lifecycle: (services) => ({
    async onListen() {
      const reader = new ImapReader(services);
      reader.start();
      return () => reader.stop();
    },
  }),
});
