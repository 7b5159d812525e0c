// The super-admin module: The operator's own accounts (super-admins) and their login.
import { defineModule } from '../../core/module.js';
import { SuperAdminEntity } from './super-admin.entity.js';
import { superAdminRoutes } from './super-admin.routes.js';

export const superAdminModule = defineModule({
  name: 'super-admin',
  entities: [SuperAdminEntity],
  routes: (kernel) => superAdminRoutes(kernel.tokens, kernel),
});
