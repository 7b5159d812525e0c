// The tenants module: Organizations (tenants): created at registration; the owner's export of their data.
import { defineModule } from '../../core/module.js';
import { TenantEntity } from './tenant.entity.js';
import { tenantRoutes } from './tenants.routes.js';

export const tenantsModule = defineModule({
  name: 'tenants',
  entities: [TenantEntity],
  routes: () => tenantRoutes,
});
