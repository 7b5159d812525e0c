// Billing: the operator's catalogue and settings, organizations' subscriptions, invoices, payments,
// refunds, payment methods, and payment providers' notifications.
import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { bool, id, int, ref, str, tenantFk, text, time } from '../../db/migrations/helpers.js';

const nullableInt = (name: string): TableColumnOptions => ({ name, type: 'integer', isNullable: true });

export class Billing1733550000000 implements MigrationInterface {
  name = 'Billing1733550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'billing_plans',
        columns: [
          id(),
          str('code', 64),
          str('name', 200),
          text('description', true),
          text('prices'),
          str('interval', 10),
          int('trialDays'),
          text('limits'),
          text('features'),
          bool('isPublic', true),
          bool('isDefault'),
          int('sortOrder'),
          time('createdAt'),
          time('updatedAt'),
          time('deletedAt', true),
        ],
        indices: [new TableIndex({ columnNames: ['code'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_addons',
        columns: [
          id(),
          str('code', 64),
          str('name', 200),
          text('description', true),
          text('prices'),
          str('interval', 10),
          text('limits'),
          bool('isPublic', true),
          time('createdAt'),
          time('updatedAt'),
          time('deletedAt', true),
        ],
        indices: [new TableIndex({ columnNames: ['code'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_coupons',
        columns: [
          id(),
          str('code', 64),
          text('description', true),
          nullableInt('percentOff'),
          text('amountOff', true),
          str('duration', 20),
          nullableInt('durationCycles'),
          nullableInt('maxRedemptions'),
          int('redemptions'),
          time('expiresAt', true),
          text('planIds'),
          bool('active', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['code'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_subscriptions',
        columns: [
          id(),
          ref('tenantId'),
          ref('planId'),
          str('status', 20),
          str('currency', 3),
          time('currentPeriodStart'),
          time('currentPeriodEnd'),
          time('trialEnd', true),
          bool('cancelAtPeriodEnd'),
          time('cancelledAt', true),
          str('cancelReason', 500, true),
          ref('couponId', true),
          nullableInt('couponCyclesLeft'),
          int('creditBalance'),
          time('pastDueSince', true),
          int('dunningStep'),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'status'] }), new TableIndex({ columnNames: ['status', 'currentPeriodEnd'] })],
        foreignKeys: [tenantFk, { columnNames: ['planId'], referencedTableName: 'billing_plans', referencedColumnNames: ['id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_subscription_addons',
        columns: [id(), ref('tenantId'), ref('subscriptionId'), ref('addonId'), int('quantity', 1), time('createdAt')],
        indices: [new TableIndex({ columnNames: ['subscriptionId', 'addonId'], isUnique: true })],
        foreignKeys: [
          tenantFk,
          {
            columnNames: ['subscriptionId'],
            referencedTableName: 'billing_subscriptions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          { columnNames: ['addonId'], referencedTableName: 'billing_addons', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_invoices',
        columns: [
          id(),
          ref('tenantId'),
          ref('subscriptionId', true),
          ref('planId', true),
          str('number', 40),
          str('status', 20),
          str('reason', 40),
          str('currency', 3),
          text('lines'),
          int('subtotal'),
          int('discount'),
          int('credit'),
          int('total'),
          int('amountPaid'),
          int('amountRefunded'),
          time('periodStart', true),
          time('periodEnd', true),
          time('issuedAt'),
          time('dueAt'),
          time('paidAt', true),
          time('voidedAt', true),
          str('paidVia', 20, true),
          str('billedTo', 200),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['number'], isUnique: true }),
          new TableIndex({ columnNames: ['tenantId', 'id'] }),
          new TableIndex({ columnNames: ['status', 'dueAt'] }),
          new TableIndex({ columnNames: ['paidAt'] }),
        ],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_payments',
        columns: [
          id(),
          ref('tenantId'),
          ref('invoiceId'),
          str('provider', 20),
          str('orderId', 64),
          str('status', 20),
          int('amount'),
          str('currency', 3),
          str('redirectUrl', 1000, true),
          str('providerToken', 200, true),
          str('providerTransactionId', 200, true),
          str('paymentType', 50, true),
          str('failureReason', 1000, true),
          str('returnUrl', 1000, true),
          time('paidAt', true),
          ref('confirmedBy', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['orderId'], isUnique: true }), new TableIndex({ columnNames: ['invoiceId'] })],
        foreignKeys: [
          tenantFk,
          { columnNames: ['invoiceId'], referencedTableName: 'billing_invoices', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_refunds',
        columns: [
          id(),
          ref('tenantId'),
          ref('invoiceId'),
          ref('paymentId', true),
          str('provider', 20),
          int('amount'),
          str('currency', 3),
          str('reason', 500),
          str('status', 20),
          str('refundKey', 64),
          str('failureReason', 1000, true),
          ref('createdBy', true),
          time('createdAt'),
          time('processedAt', true),
        ],
        indices: [new TableIndex({ columnNames: ['invoiceId'] }), new TableIndex({ columnNames: ['refundKey'], isUnique: true })],
        foreignKeys: [
          tenantFk,
          { columnNames: ['invoiceId'], referencedTableName: 'billing_invoices', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_payment_methods',
        columns: [id(), ref('tenantId'), str('type', 20), str('label', 200), text('details'), bool('isDefault'), time('createdAt')],
        indices: [new TableIndex({ columnNames: ['tenantId'] })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'billing_payment_notifications',
        columns: [
          id(),
          str('provider', 20),
          str('dedupeKey', 200),
          str('orderId', 64),
          text('payload'),
          str('status', 20),
          str('result', 500, true),
          time('receivedAt'),
          time('processedAt', true),
        ],
        indices: [new TableIndex({ columnNames: ['provider', 'dedupeKey'], isUnique: true }), new TableIndex({ columnNames: ['orderId'] })],
      }),
    );
    await q.createTable(
      new Table({ name: 'billing_settings', columns: [{ ...str('key', 64), isPrimary: true }, text('value'), time('updatedAt')] }),
    );
    await q.createTable(new Table({ name: 'billing_counters', columns: [{ ...str('key', 64), isPrimary: true }, int('value')] }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'billing_counters',
      'billing_settings',
      'billing_payment_notifications',
      'billing_payment_methods',
      'billing_refunds',
      'billing_payments',
      'billing_invoices',
      'billing_subscription_addons',
      'billing_subscriptions',
      'billing_coupons',
      'billing_addons',
      'billing_plans',
    ])
      await q.dropTable(table);
  }
}
