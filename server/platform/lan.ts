// LAN access: the machine's addresses that agents' phones and PCs can use, the URLs on them, and
// a QR code of the preferred URL so a phone can open the inbox by scanning it.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { lazy } from '../core/lazy.js';

/** qrcode, imported when the LAN page is first asked for. */
const loadQrcode = lazy(async () => (await import('qrcode')).default);

export interface LanAddress {
  interface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  /** Virtual adapters (Docker, VirtualBox, VPNs…): listed last, never preferred. */
  virtual: boolean;
  url: string;
}

export interface LanInfo {
  /** False when the server listens on loopback only (HOST=127.0.0.1): other devices cannot connect. */
  reachable: boolean;
  reason: string | null;
  port: number;
  addresses: LanAddress[];
  /** http://omnistream.local:PORT/ while the mDNS announcement runs. */
  mdnsUrl: string | null;
  /** What the QR code encodes: the first physical IPv4 URL (phones resolve .local names unevenly). */
  preferredUrl: string | null;
  qr: { payload: string; svg: string } | null;
}

const VIRTUAL =
  /^(docker|br-|veth|virbr|vmnet|vboxnet|vEthernet|utun|tun|tap|tailscale|zt|wg|ham|llw|awdl|anpi|bridge|lxc|lxd|cni|flannel|podman)|VirtualBox|VMware|Hyper-V|Loopback|WSL/i;

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

function urlFor(address: string, family: 'IPv4' | 'IPv6', port: number): string {
  return family === 'IPv6' ? `http://[${address}]:${port}/` : `http://${address}:${port}/`;
}

/**
 * Addresses other devices on the LAN can reach this machine on: external IPv4 addresses, then
 * global/unique-local IPv6 ones. Loopback and link-local addresses (169.254/16, fe80::/10) are
 * left out: a phone cannot use them in a URL.
 */
export function listLanAddresses(port: number, interfaces: Interfaces = networkInterfaces()): LanAddress[] {
  const found: LanAddress[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      const family = info.family === 'IPv6' || (info.family as unknown) === 6 ? 'IPv6' : 'IPv4';
      if (family === 'IPv4' && (info.address.startsWith('169.254.') || info.address.startsWith('127.'))) continue;
      if (family === 'IPv6' && (/^fe[89ab]/i.test(info.address) || info.address === '::1')) continue;
      found.push({ interface: name, address: info.address, family, virtual: VIRTUAL.test(name), url: urlFor(info.address, family, port) });
    }
  }
  const rank = (a: LanAddress) => (a.virtual ? 2 : 0) + (a.family === 'IPv6' ? 1 : 0);
  return found.sort((a, b) => rank(a) - rank(b) || a.interface.localeCompare(b.interface) || a.address.localeCompare(b.address));
}

/** True when HOST accepts connections from other machines. */
export function listensOnLan(host: string): boolean {
  return !(host === 'localhost' || host.startsWith('127.') || host === '::1');
}

/** The URL the QR code carries: the first physical IPv4 address, else the first address of any kind. */
export function qrPayload(addresses: LanAddress[]): string | null {
  const best = addresses.find((a) => !a.virtual && a.family === 'IPv4') ?? addresses.find((a) => a.family === 'IPv4') ?? addresses[0];
  return best?.url ?? null;
}

export async function qrSvg(payload: string): Promise<string> {
  const QRCode = await loadQrcode();
  return QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

export async function lanInfo(options: { host: string; port: number; mdnsActive: boolean; interfaces?: Interfaces }): Promise<LanInfo> {
  const { host, port } = options;
  if (!listensOnLan(host)) {
    return {
      reachable: false,
      reason: `The server listens on ${host} only; set HOST=0.0.0.0 so other devices can connect`,
      port,
      addresses: [],
      mdnsUrl: null,
      preferredUrl: null,
      qr: null,
    };
  }
  let addresses = listLanAddresses(port, options.interfaces);
  // Bound to one address: only that one is reachable.
  if (host !== '0.0.0.0' && host !== '::') addresses = addresses.filter((a) => a.address === host);
  const preferredUrl = qrPayload(addresses);
  return {
    reachable: addresses.length > 0,
    reason:
      addresses.length > 0 ? null : 'This computer has no network address other devices can reach (is it connected to the office network?)',
    port,
    addresses,
    mdnsUrl: options.mdnsActive ? `http://omnistream.local:${port}/` : null,
    preferredUrl,
    qr: preferredUrl ? { payload: preferredUrl, svg: await qrSvg(preferredUrl) } : null,
  };
}
