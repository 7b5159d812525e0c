// The api-keys module: API keys: shown once, stored hashed, acting as their creator.
import { defineModule } from '../../core/module.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { apiKeyRoutes } from './api-keys.routes.js';
import { ApiKeyScopes1733610000001 } from './api-keys.migration.js';

export const apiKeysModule = defineModule({
  name: 'api-keys',
  entities: [ApiKeyEntity],
  migrations: [ApiKeyScopes1733610000001],
  routes: () => apiKeyRoutes,
});
