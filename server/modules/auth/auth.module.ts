// The auth module: Registration, login, logout and the current user's profile; the identity store core authenticates through.
import { defineModule } from '../../core/module.js';
import { authRoutes } from './auth.routes.js';
import { identityStore } from './identity-store.js';

export const authModule = defineModule({
  name: 'auth',
  routes: (kernel) => authRoutes(kernel.tokens, kernel),
  provides: (services) => ({ identity: identityStore(services.db) }),
});
