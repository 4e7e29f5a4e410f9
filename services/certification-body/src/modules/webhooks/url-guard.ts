import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { UnprocessableProblem } from '@cabc/http-kit';

export interface UrlPolicy {
  /** 127.0.0.0/8 and ::1: local receivers and tests. */
  allowLoopback: boolean;
  /** RFC 1918, CGNAT (100.64.0.0/10) and unique-local IPv6 (fc00::/7). */
  allowPrivateNetworks: boolean;
}

/** Cloud metadata services by name; their addresses are in `never` below. */
const metadataHosts = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

function blockList(entries: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, type] of entries) list.addSubnet(network, prefix, type);
  return list;
}

/** Never a webhook destination, whatever the configuration: link-local, metadata services, unspecified, multicast, reserved. */
const never = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, incl. 169.254.169.254 (AWS, GCP, Azure, OpenStack metadata)
  ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud metadata
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments (incl. 192.0.0.192 Oracle Cloud metadata)
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'], // link-local
  ['fd00:ec2::254', 128, 'ipv6'], // AWS metadata over IPv6
  ['ff00::', 8, 'ipv6'], // multicast
]);
const loopback = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const privateNetworks = blockList([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

/** The 16 bytes of an IPv6 address, via the WHATWG URL parser's canonical form (embedded IPv4 becomes hex). */
function ipv6Bytes(address: string): number[] | undefined {
  let canonical: string;
  try {
    canonical = new URL(`http://[${address.split('%')[0]}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head, tail] = canonical.split('::') as [string, string | undefined];
  const words = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const first = words(head);
  const last = words(tail);
  const all =
    tail === undefined ? first : [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
  return all.flatMap((word) => [(word >> 8) & 0xff, word & 0xff]);
}

/** The IPv4 address embedded in an IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96) or NAT64 (64:ff9b::/96) address. */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (!bytes || bytes.length !== 16) return undefined;
  const prefix = bytes.slice(0, 12);
  const zero = (from: number, to: number) => prefix.slice(from, to).every((byte) => byte === 0);
  const mapped = zero(0, 10) && prefix[10] === 0xff && prefix[11] === 0xff;
  const compatible = zero(0, 12) && !(bytes[12] === 0 && bytes[13] === 0 && bytes[14] === 0 && bytes[15]! <= 1);
  const nat64 = prefix[0] === 0x00 && prefix[1] === 0x64 && prefix[2] === 0xff && prefix[3] === 0x9b && zero(4, 12);
  return mapped || compatible || nat64 ? bytes.slice(12).join('.') : undefined;
}

/** Why `address` may not receive webhooks under `policy`, or undefined when it may. */
export function blockedAddressReason(address: string, policy: UrlPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'is not an IP address';
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return blockedAddressReason(v4, policy);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const bare = address.split('%')[0]!;
  if (never.check(bare, type)) return 'is a link-local, metadata, unspecified, multicast or reserved address';
  if (loopback.check(bare, type))
    return policy.allowLoopback ? undefined : 'is a loopback address (WEBHOOK_ALLOW_LOOPBACK=false)';
  if (privateNetworks.check(bare, type))
    return policy.allowPrivateNetworks
      ? undefined
      : 'is a private network address (WEBHOOK_ALLOW_PRIVATE_NETWORKS=false)';
  return undefined;
}

function refuse(message: string): UnprocessableProblem {
  return new UnprocessableProblem('invalid-webhook-url', 'Webhook URL refused', message, [{ field: 'url', message }]);
}

const hostOf = (url: URL) =>
  url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();

/**
 * Checks a subscription URL when it is registered: http(s), no credentials, and a host that is not (and does not
 * resolve to) a link-local or metadata address. The same check runs again on every delivery (DNS may change).
 */
export async function assertWebhookUrl(text: string, policy: UrlPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw refuse(`scheme ${url.protocol.replace(/:$/, '')} is not allowed; use http or https`);
  if (url.username || url.password)
    throw refuse('credentials in the URL are not allowed; the signature authenticates us');
  const host = hostOf(url);
  if (metadataHosts.has(host)) throw refuse(`${host} is a cloud metadata service`);
  if (isIP(host)) {
    const reason = blockedAddressReason(host, policy);
    if (reason) throw refuse(`${host} ${reason}`);
    return url;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch {
    // Not resolvable yet (a receiver being set up, or no DNS here): accepted, since every delivery resolves the name
    // again through the guarded lookup and refuses a blocked address then.
    return url;
  }
  for (const { address } of addresses) {
    const reason = blockedAddressReason(address, policy);
    if (reason) throw refuse(`${host} resolves to ${address}, which ${reason}`);
  }
  return url;
}

/** Why a delivery must not go to this URL now (checked before connecting; addresses by the guarded lookup). */
export function blockedUrlReason(url: URL, policy: UrlPolicy): string | undefined {
  const host = hostOf(url);
  if (metadataHosts.has(host)) return `${host} is a cloud metadata service`;
  if (isIP(host)) {
    const reason = blockedAddressReason(host, policy);
    return reason ? `${host} ${reason}` : undefined;
  }
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for node:http that refuses blocked addresses at connect time (DNS rebinding after registration). */
export function guardedLookup(policy: UrlPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(
      hostname,
      { ...options, all: true, verbatim: true } as never,
      (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
        if (error) return callback(error, []);
        for (const { address } of addresses) {
          const reason = blockedAddressReason(address, policy);
          if (reason)
            return callback(
              Object.assign(new Error(`${hostname} resolves to ${address}, which ${reason}`), { code: 'EBLOCKED' }),
              [],
            );
        }
        if (options.all) return callback(null, addresses);
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
        callback(null, first.address, first.family);
      },
    );
  };
}
