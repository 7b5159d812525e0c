// Phone numbers are stored in E.164 (+6281234567890). What people type (0812-3456-7890, 62812…,
// +62 812…) is read in the organization's region, Indonesia unless its time zone says otherwise.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Time zones of the countries OmniStream serves first, to their region; anything else reads as Indonesia. */
const REGION_BY_ZONE: Record<string, CountryCode> = {
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
  'Australia/Sydney': 'AU',
  'Australia/Perth': 'AU',
  'Asia/Kolkata': 'IN',
  'Asia/Calcutta': 'IN',
  'Europe/London': 'GB',
  'America/New_York': 'US',
  'America/Los_Angeles': 'US',
  'America/Chicago': 'US',
};

export const DEFAULT_REGION: CountryCode = 'ID';

/** The region phone numbers without a country code are read in, from the organization's time zone. */
export function regionOf(timezone: string | null | undefined): CountryCode {
  return (timezone && REGION_BY_ZONE[timezone]) || DEFAULT_REGION;
}

/**
 * The E.164 form of a phone number, or null when it is not a valid number. A number with its
 * country code but no "+" (6281234567890, as WhatsApp sends it) is read as international when it is
 * not valid in the region.
 */
export function toE164(input: string, region: CountryCode = DEFAULT_REGION): string | null {
  const text = input.trim();
  if (!text || !/^[+0-9 ().-]+$/.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, region);
  if (parsed?.isValid()) return parsed.number;
  if (!text.startsWith('+')) {
    const international = parsePhoneNumberFromString(`+${text.replace(/^00/, '')}`);
    if (international?.isValid()) return international.number;
  }
  return null;
}
