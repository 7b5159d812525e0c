// The notes module: Internal notes on conversations.
import { defineModule } from '../../core/module.js';
import { NoteEntity } from './note.entity.js';
import { noteRoutes } from './notes.routes.js';

export const notesModule = defineModule({
  name: 'notes',
  entities: [NoteEntity],
  routes: () => noteRoutes,
  pushedEvents: ['note.created', 'note.updated', 'note.deleted'],
});
