// The super-admin module: the operator's own accounts (super-admins) and their login; the
// operator's console over organizations (provision, suspend, delete and purge, impersonate, users,
// usage), the appliance's health, and one-time password reset links.
import { defineModule } from '../../core/module.js';
import { PasswordResetLinkEntity, SuperAdminEntity } from './super-admin.entity.js';
import { SuperAdminConsole1733500000001 } from './super-admin.migration.js';
import { superAdminRoutes } from './super-admin.routes.js';
import { superAdminJobs } from './purge.jobs.js';

export const superAdminModule = defineModule({
  name: 'super-admin',
  entities: [SuperAdminEntity, PasswordResetLinkEntity],
  migrations: [SuperAdminConsole1733500000001],
  routes: (kernel) => superAdminRoutes(kernel.tokens, kernel),
  jobs: superAdminJobs,
});
