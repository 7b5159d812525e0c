// The api-keys module: API keys: shown once, stored hashed, acting as their creator.
import { defineModule } from '../../core/module.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { apiKeyRoutes } from './api-keys.routes.js';

export const apiKeysModule = defineModule({
  name: 'api-keys',
  entities: [ApiKeyEntity],
  routes: () => apiKeyRoutes,
});
