// The roles module: Roles and their permissions; built-in and custom.
import { defineModule } from '../../core/module.js';
import { RoleEntity } from './role.entity.js';
import { roleRoutes } from './roles.routes.js';

export const rolesModule = defineModule({
  name: 'roles',
  entities: [RoleEntity],
  routes: () => roleRoutes,
});
