// Phone numbers to E.164 with libphonenumber-js. Numbers written nationally ("0812…") take the
// organization's region; the region comes from its time zone (Indonesia first).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

const ZONE_COUNTRY: Record<string, CountryCode> = {
  'Asia/Jakarta': 'ID',
  'Asia/Pontianak': 'ID',
  'Asia/Makassar': 'ID',
  'Asia/Jayapura': 'ID',
  'Asia/Singapore': 'SG',
  'Asia/Kuala_Lumpur': 'MY',
  'Asia/Kuching': 'MY',
  'Asia/Manila': 'PH',
  'Asia/Bangkok': 'TH',
  'Asia/Ho_Chi_Minh': 'VN',
  'Asia/Saigon': 'VN',
  'Asia/Kolkata': 'IN',
  'Asia/Calcutta': 'IN',
  'Asia/Dubai': 'AE',
  'Asia/Riyadh': 'SA',
  'Australia/Sydney': 'AU',
  'Europe/London': 'GB',
  'Europe/Berlin': 'DE',
  'Europe/Amsterdam': 'NL',
  'America/New_York': 'US',
  'America/Chicago': 'US',
  'America/Los_Angeles': 'US',
  'America/Sao_Paulo': 'BR',
  'America/Mexico_City': 'MX',
};

/** The region of an organization's time zone; Indonesia when unknown. */
export function regionForTimezone(timezone: string | null | undefined): CountryCode {
  return (timezone && ZONE_COUNTRY[timezone]) || 'ID';
}

/** E.164 ("+6281234567890"), or null when the text is not a valid phone number. */
export function toE164(raw: string, region: string): string | null {
  const text = raw.trim();
  if (!text) return null;
  const country = region.toUpperCase() as CountryCode;
  const first = parsePhoneNumberFromString(text, country);
  if (first?.isValid()) return first.number;
  // "6281234567890": international digits without the plus.
  const digits = text.replace(/[^\d]/g, '');
  if (!text.startsWith('+') && digits.length >= 8) {
    const intl = parsePhoneNumberFromString(`+${digits}`);
    if (intl?.isValid()) return intl.number;
  }
  return null;
}
