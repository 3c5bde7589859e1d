// Which peers may set the user header (WS_TRUSTED_PROXIES): CIDR parsing and matching, IPv4 and IPv6. Pure.
import { BlockList, isIP } from 'node:net';

interface Range {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address (a /32 or /128). undefined when it is none of these. */
function parseRange(text: string): Range | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' };
}

export function isCidr(text: string): boolean {
  return parseRange(text) !== undefined;
}

/** Normalises an IPv4-mapped IPv6 peer (`::ffff:10.1.2.3`, from a dual-stack listener) to its IPv4 form. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/**
 * A predicate telling whether a peer address is one of the trusted proxies. With no ranges every peer is
 * trusted (the Olares behaviour); an unknown address (a socket already gone) is never trusted otherwise.
 */
export function buildTrustedPeer(ranges: readonly string[]): (address: string | undefined) => boolean {
  if (ranges.length === 0) return () => true;
  const list = new BlockList();
  for (const text of ranges) {
    const range = parseRange(text);
    if (range === undefined) throw new Error(`invalid CIDR range ${JSON.stringify(text)}`);
    if (range.family === 'ipv4') list.addSubnet(range.address, range.prefix, 'ipv4');
    else list.addSubnet(range.address, range.prefix, 'ipv6');
  }
  return (address) => {
    if (address === undefined) return false;
    const peer = unmapped(address);
    const family = isIP(peer);
    return family !== 0 && list.check(peer, family === 4 ? 'ipv4' : 'ipv6');
  };
}
