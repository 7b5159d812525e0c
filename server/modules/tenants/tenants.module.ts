// The tenants module: Organizations (tenants): created at registration.
import { defineModule } from '../../core/module.js';
import { TenantEntity } from './tenant.entity.js';

export const tenantsModule = defineModule({
  name: 'tenants',
  entities: [TenantEntity],
});
