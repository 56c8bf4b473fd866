// Which IP addresses count as internal: loopback, private, link-local, unspecified and the
// shared (carrier-grade NAT) range, in IPv4 and IPv6 (IPv4-mapped IPv6 counts as its IPv4).
// A name matched only by a wildcard host rule ('*', '*.x.com') never reaches one of these:
// whoever controls a name's DNS could otherwise point it at the host's internal services.

import { BlockList, isIP } from 'node:net'

const internal = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16],
] as const) internal.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) internal.addSubnet(network, prefix, 'ipv6')

const MAPPED_DOTTED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i

/** The IPv4 address an IPv4-mapped IPv6 address stands for, else the address itself. */
function unmapped(address: string): string {
  const dotted = MAPPED_DOTTED.exec(address)
  if (dotted) return dotted[1]!
  const hex = MAPPED_HEX.exec(address)
  if (!hex) return address
  const high = Number.parseInt(hex[1]!, 16)
  const low = Number.parseInt(hex[2]!, 16)
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`
}

/** Whether `address` (an IP literal, IPv6 with or without brackets) is internal; non-IPs are. */
export function isInternalAddress(address: string): boolean {
  const bare = unmapped(address.replace(/^\[|\]$/g, ''))
  const family = isIP(bare)
  if (family === 0) return true
  return internal.check(bare, family === 4 ? 'ipv4' : 'ipv6')
}
