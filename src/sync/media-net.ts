/**
 * Which network addresses a media download may reach. An ERP image URL is outside input: without
 * this, `http://127.0.0.1:…`, the cloud metadata address or any intranet host would be fetched
 * and its answer uploaded to the PIM where every PIM user can read it (SSRF).
 *
 * The check runs on the address the socket really connects to (a `lookup` given to the undici
 * Agent), not on the host name in the URL, so a name that resolves to an internal address — or
 * resolves differently the second time (DNS rebinding) — is refused too. IP literals skip DNS,
 * so they are checked before connecting.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';

/** Loopback, private, link-local, shared, multicast, documentation and other reserved ranges. */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** True when an IP address is not a public unicast one. IPv4-mapped IPv6 is judged as its IPv4. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
    const hexMapped = /^::ffff:(?:0:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
    if (hexMapped) {
      const hi = parseInt(hexMapped[1]!, 16);
      const lo = parseInt(hexMapped[2]!, 16);
      return BLOCKED.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
    return BLOCKED.check(bare, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

/** The error a refused address raises; the download names the source and the setting that allows it. */
export class ForbiddenAddressError extends Error {
  readonly code = 'EFORBIDDENADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a loopback, private, link-local or reserved address`);
    this.name = 'ForbiddenAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup that fails when any address of the name is forbidden. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isForbiddenAddress(a.address));
    if (bad) return callback(new ForbiddenAddressError(hostname, bad.address) as unknown as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

let guardedAgent: Agent | undefined;
let openAgent: Agent | undefined;

/** The shared dispatchers: one that checks every connection's address, one for allowlisted hosts. */
export function mediaDispatcher(checked: boolean): Agent {
  if (checked) return (guardedAgent ??= new Agent({ connect: { lookup: guardedLookup as never } }));
  return (openAgent ??= new Agent());
}

/**
 * Whether a URL's host is in `sync.mediaHosts`: an entry is a host name or address, alone
 * (any port) or with a port (`images.intra:8080`). Names compare case-insensitively.
 */
export function isAllowlistedHost(url: URL, hosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return hosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(e.includes(':') && !e.startsWith('[') && isIP(e) === 6 ? `[${e}]` : e);
    if (!m) return false;
    return m[1] === host && (m[2] === undefined || m[2] === port);
  });
}
