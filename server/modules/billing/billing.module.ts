// The billing module: the operator's plans, add-ons, coupons, payment providers and revenue
// (Billing Admin), and each organization's subscription, usage against its limits, invoices and
// payments (Billing). Billing is optional: with no plan defined, nothing is limited.
import { defineModule } from '../../core/module.js';
import {
  AddonEntity,
  BillingCounterEntity,
  BillingSettingEntity,
  CouponEntity,
  InvoiceEntity,
  PaymentEntity,
  PaymentMethodEntity,
  PaymentNotificationEntity,
  PlanEntity,
  RefundEntity,
  SubscriptionAddonEntity,
  SubscriptionEntity,
} from './billing.entity.js';
import { Billing1733550000000 } from './billing.migration.js';
import { billingRoutes } from './billing.routes.js';
import { billingAdminRoutes } from './billing-admin.routes.js';
import { billingJobs, billingSchedules } from './billing.jobs.js';

export const billingModule = defineModule({
  name: 'billing',
  entities: [
    PlanEntity,
    AddonEntity,
    CouponEntity,
    SubscriptionEntity,
    SubscriptionAddonEntity,
    InvoiceEntity,
    PaymentEntity,
    RefundEntity,
    PaymentMethodEntity,
    PaymentNotificationEntity,
    BillingSettingEntity,
    BillingCounterEntity,
  ],
  migrations: [Billing1733550000000],
  routes: () => [...billingAdminRoutes, ...billingRoutes],
  jobs: billingJobs,
  schedules: billingSchedules,
  pushedEvents: [],
});
