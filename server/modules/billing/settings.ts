// The operator's billing settings, appliance-wide: the payment providers (Midtrans keys sealed
// with the vault and never returned; the bank account for manual transfers), who invoices come
// from, when invoices fall due, and dunning. Stored as one row per key in billing_settings.
import type { EntityManager } from 'typeorm';
import type { Services } from '../../core/context.js';
import { maskSecret } from '../../core/vault.js';
import { BillingSettingEntity } from './billing.entity.js';

export interface MidtransSettings {
  enabled: boolean;
  environment: 'sandbox' | 'production';
  /** Sealed with the vault. */
  serverKeySealed: string | null;
  clientKey: string | null;
  merchantId: string | null;
}

export interface BankTransferSettings {
  enabled: boolean;
  bankName: string | null;
  accountNumber: string | null;
  accountName: string | null;
  instructions: string | null;
}

export interface SellerSettings {
  name: string;
  address: string | null;
  taxId: string | null;
  email: string | null;
}

export interface InvoiceSettings {
  /** Days an invoice may stay unpaid before the subscription is past due. */
  dueDays: number;
  numberPrefix: string;
}

export interface DunningSettings {
  /** Reminders on these days after the due date. */
  reminderDays: number[];
  /** A past-due subscription is cancelled this many days after the due date. */
  cancelAfterDays: number;
}

export interface BillingSettings {
  midtrans: MidtransSettings;
  bankTransfer: BankTransferSettings;
  seller: SellerSettings;
  invoices: InvoiceSettings;
  dunning: DunningSettings;
}

export const DEFAULT_SETTINGS: BillingSettings = {
  midtrans: { enabled: false, environment: 'sandbox', serverKeySealed: null, clientKey: null, merchantId: null },
  bankTransfer: { enabled: false, bankName: null, accountNumber: null, accountName: null, instructions: null },
  seller: { name: 'OmniStream', address: null, taxId: null, email: null },
  invoices: { dueDays: 7, numberPrefix: 'INV' },
  dunning: { reminderDays: [1, 3, 7], cancelAfterDays: 14 },
};

type Section = keyof BillingSettings;
const SECTIONS = Object.keys(DEFAULT_SETTINGS) as Section[];

export async function loadSettings(services: Pick<Services, 'db'>, manager?: EntityManager): Promise<BillingSettings> {
  const rows = await (manager ?? services.db.manager).getRepository(BillingSettingEntity).find();
  const settings = structuredClone(DEFAULT_SETTINGS);
  for (const row of rows) {
    if (SECTIONS.includes(row.key as Section)) Object.assign(settings[row.key as Section], row.value);
  }
  return settings;
}

export async function saveSection<S extends Section>(manager: EntityManager, key: S, value: BillingSettings[S], now: Date): Promise<void> {
  await manager.getRepository(BillingSettingEntity).save({ key, value: value as unknown as Record<string, unknown>, updatedAt: now });
}

/** The Midtrans server key, decrypted (null when not set or unreadable). */
export function midtransServerKey(services: Pick<Services, 'vault'>, settings: BillingSettings): string | null {
  if (!settings.midtrans.serverKeySealed) return null;
  try {
    return services.vault.decrypt<string>(settings.midtrans.serverKeySealed);
  } catch {
    return null;
  }
}

export const midtransReady = (services: Pick<Services, 'vault'>, settings: BillingSettings) =>
  settings.midtrans.enabled && midtransServerKey(services, settings) !== null;

export const bankTransferReady = (settings: BillingSettings) =>
  settings.bankTransfer.enabled && Boolean(settings.bankTransfer.accountNumber && settings.bankTransfer.bankName);

/** What the API shows: secrets as their last four characters. */
export function settingsView(services: Pick<Services, 'vault' | 'host'>, settings: BillingSettings) {
  const { serverKeySealed: _sealed, ...midtrans } = settings.midtrans;
  const publicUrl = services.host.publicUrl();
  return {
    midtrans: {
      ...midtrans,
      serverKey: maskSecret(midtransServerKey(services, settings) ?? undefined),
      ready: midtransReady(services, settings),
      notificationUrl: publicUrl ? `${publicUrl.replace(/\/+$/, '')}/api/v1/webhooks/midtrans` : null,
    },
    bankTransfer: { ...settings.bankTransfer, ready: bankTransferReady(settings) },
    seller: settings.seller,
    invoices: settings.invoices,
    dunning: settings.dunning,
  };
}
