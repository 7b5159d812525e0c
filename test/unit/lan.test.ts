import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { NetworkInterfaceInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import jsQR from 'jsqr';
import { lanInfo, listLanAddresses, listensOnLan, qrPayload } from '../../server/platform/lan.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  family: 'IPv4',
  internal,
  netmask: '255.255.255.0',
  mac: '00:00:00:00:00:00',
  cidr: `${address}/24`,
});
const v6 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  family: 'IPv6',
  internal,
  netmask: 'ffff:ffff:ffff:ffff::',
  mac: '00:00:00:00:00:00',
  cidr: `${address}/64`,
  scopeid: 0,
});

// An office PC: Wi-Fi and Ethernet, Docker, a VPN, loopback and link-local addresses.
const office: NodeJS.Dict<NetworkInterfaceInfo[]> = {
  lo: [v4('127.0.0.1', true), v6('::1', true)],
  docker0: [v4('172.17.0.1')],
  'Wi-Fi': [v4('192.168.1.23'), v6('fe80::1c2b:3aff:fe4d:5e6f'), v6('fd12:3456:789a::23')],
  Ethernet: [v4('169.254.10.20'), v4('10.0.0.5')],
  tailscale0: [v4('100.101.102.103')],
};

/** Renders an SVG and reads the QR code in it back, as a phone's camera would. */
async function decodeQr(svg: string): Promise<string | null> {
  const { data, info } = await sharp(Buffer.from(svg), { density: 300 })
    .resize(400, 400)
    .flatten({ background: '#ffffff' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data ?? null;
}

describe('LAN addresses', () => {
  it('lists the addresses other devices can use, physical IPv4 first, with URLs', () => {
    const list = listLanAddresses(3000, office);
    assert.deepEqual(
      list.map((a) => [a.interface, a.address, a.virtual]),
      [
        ['Ethernet', '10.0.0.5', false],
        ['Wi-Fi', '192.168.1.23', false],
        ['Wi-Fi', 'fd12:3456:789a::23', false],
        ['docker0', '172.17.0.1', true],
        ['tailscale0', '100.101.102.103', true],
      ],
    );
    assert.equal(list[0].url, 'http://10.0.0.5:3000/');
    assert.equal(list[2].url, 'http://[fd12:3456:789a::23]:3000/');
    // No loopback, no link-local: a phone cannot open those.
    assert.ok(!list.some((a) => /^(127\.|169\.254\.|fe80|::1)/.test(a.address)));
    assert.deepEqual(listLanAddresses(3000, { lo: [v4('127.0.0.1', true)] }), []);
  });

  it("puts a physical IPv4 URL in the QR code, never a virtual adapter's", () => {
    assert.equal(qrPayload(listLanAddresses(8080, office)), 'http://10.0.0.5:8080/');
    assert.equal(qrPayload(listLanAddresses(8080, { docker0: [v4('172.17.0.1')], eth0: [v6('fd00::2')] })), 'http://172.17.0.1:8080/');
    assert.equal(qrPayload(listLanAddresses(8080, { eth0: [v6('fd00::2')] })), 'http://[fd00::2]:8080/');
    assert.equal(qrPayload([]), null);
  });

  it('renders a QR code that scans back to the preferred URL', async () => {
    const info = await lanInfo({ host: '0.0.0.0', port: 3000, mdnsActive: true, interfaces: office });
    assert.equal(info.reachable, true);
    assert.equal(info.preferredUrl, 'http://10.0.0.5:3000/');
    assert.equal(info.mdnsUrl, 'http://omnistream.local:3000/');
    assert.equal(info.qr?.payload, info.preferredUrl);
    assert.match(info.qr!.svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(await decodeQr(info.qr!.svg), 'http://10.0.0.5:3000/');
  });

  it('says why other devices cannot connect when the server listens on loopback or has no network', async () => {
    assert.equal(listensOnLan('127.0.0.1'), false);
    assert.equal(listensOnLan('0.0.0.0'), true);
    const loopback = await lanInfo({ host: '127.0.0.1', port: 3000, mdnsActive: false, interfaces: office });
    assert.equal(loopback.reachable, false);
    assert.match(loopback.reason ?? '', /HOST=0\.0\.0\.0/);
    assert.equal(loopback.qr, null);
    const offline = await lanInfo({ host: '0.0.0.0', port: 3000, mdnsActive: false, interfaces: { lo: [v4('127.0.0.1', true)] } });
    assert.equal(offline.reachable, false);
    assert.match(offline.reason ?? '', /no network address/);
    const one = await lanInfo({ host: '192.168.1.23', port: 3000, mdnsActive: false, interfaces: office });
    assert.deepEqual(
      one.addresses.map((a) => a.address),
      ['192.168.1.23'],
      'bound to one address: only that one',
    );
  });
});

describe('mDNS announcement', () => {
  it('answers omnistream.local and advertises the web service, then says goodbye', (t) => {
    // Multicast stays inside a private network namespace with loopback only (nothing reaches a real LAN).
    const probe = fileURLToPath(new URL('../support/fixtures/mdns-probe.ts', import.meta.url));
    const run = spawnSync(
      'unshare',
      [
        '--net',
        'sh',
        '-c',
        `ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "${process.execPath}" --import tsx "${probe}"`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (run.error || (run.status !== 0 && /unshare|Operation not permitted|not found/i.test(run.stderr))) {
      t.skip(`needs a private network namespace (unshare --net, as root): ${run.error?.message ?? run.stderr.trim()}`);
      return;
    }
    assert.equal(run.status, 0, run.stderr);
    const { announced, a, ptr, other, goodbye } = JSON.parse(run.stdout);
    const pick = (records: { name: string; type: string; data: unknown }[], type: string) =>
      records.filter((r) => r.type === type).map((r) => r.data);
    assert.deepEqual(pick(announced, 'A'), ['192.168.1.23'], 'announced at start');
    assert.deepEqual(pick(a, 'A'), ['192.168.1.23'], 'answers an A query for omnistream.local (any case)');
    assert.deepEqual(pick(ptr, 'PTR'), ['OmniStream._http._tcp.local']);
    assert.deepEqual(pick(ptr, 'SRV'), [{ priority: 0, weight: 0, port: 3000, target: 'omnistream.local' }]);
    assert.deepEqual(pick(ptr, 'AAAA'), ['fd00::23']);
    assert.deepEqual(other, [], 'other names are not ours to answer');
    assert.ok(goodbye.length > 0 && goodbye.every((r: { ttl: number }) => r.ttl === 0), 'goodbye records have TTL 0');
  });
});
