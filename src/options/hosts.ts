// The `allowedHosts` option: host rules for outgoing requests, normalized for matching:
// lowercase, no trailing dot, punycode for non-ASCII names, canonical IPv6, optional ':port'.
// Forms: 'api.x.com', '*.x.com' (wildcard = the whole first label), '*', '1.2.3.4', '[::1]'.

import { isIPv6 } from 'node:net'
import { domainToASCII } from 'node:url'
import { OptionError, kindOf, show } from './errors.ts'

export const HOSTS_ACCEPTED =
  "an array of hosts: 'api.x.com', '*.x.com' (wildcard only as the whole first label), '*' (any host), an IPv4 address or a bracketed IPv6 address like '[::1]', each with an optional ':port' (1-65535); no scheme, path or spaces"

/** Internal: why one entry is invalid (turned into an OptionError by parseHostRule). */
class InvalidHost extends Error {}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/

function parseIPv4(labels: string[]): string | null {
  if (labels.length !== 4) return null
  for (const label of labels) {
    if (!/^(0|[1-9]\d{0,2})$/.test(label) || Number(label) > 255) return null
  }
  return labels.join('.')
}

/** The normalized host without port; throws InvalidHost. */
function parseHostName(host: string, original: string): string {
  if (host === '') throw new InvalidHost(`${show(original)} has no host`)
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) throw new InvalidHost(`${show(original)} has an unclosed '['`)
    const inner = host.slice(1, -1)
    if (!isIPv6(inner) || inner.includes('%')) throw new InvalidHost(`${show(original)} is not a valid IPv6 address`)
    try {
      return new URL(`http://[${inner}]/`).hostname
    } catch {
      throw new InvalidHost(`${show(original)} is not a valid IPv6 address`)
    }
  }
  if (host === '*') return '*'
  let name = host.endsWith('.') ? host.slice(0, -1) : host
  const wildcard = name.startsWith('*.')
  if (wildcard) name = name.slice(2)
  if (name.includes('*')) throw new InvalidHost(`${show(original)} has a misplaced '*': a wildcard must be the whole first label, as in '*.x.com'`)
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name)
    if (ascii === '') throw new InvalidHost(`${show(original)} is not a valid international host name`)
    name = ascii
  }
  if (name.length > 253) throw new InvalidHost(`${show(original)} is longer than 253 characters`)
  const labels = name.split('.')
  if (labels.some((label) => label === '')) throw new InvalidHost(`${show(original)} has an empty label`)
  if (/^\d+$/.test(labels[labels.length - 1]!)) {
    const ip = wildcard ? null : parseIPv4(labels)
    if (ip === null) throw new InvalidHost(`${show(original)} is not a valid IPv4 address (four numbers 0-255) or host name`)
    return ip
  }
  for (const label of labels) {
    if (!LABEL.test(label)) throw new InvalidHost(`${show(original)} has an invalid label ${show(label)} (letters, digits, '-' and '_', at most 63, no '-' at either end)`)
  }
  return (wildcard ? '*.' : '') + name
}

/** One normalized host rule; throws InvalidHost. */
function parseHostRuleOrReason(entry: string): string {
  if (entry === '') throw new InvalidHost(`${show(entry)} is empty`)
  if (/\s/.test(entry)) throw new InvalidHost(`${show(entry)} contains whitespace`)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) throw new InvalidHost(`${show(entry)} has a scheme; give the host only, like 'api.x.com'`)
  if (/[/?#]/.test(entry)) throw new InvalidHost(`${show(entry)} has a path, query or fragment; give the host only, like 'api.x.com'`)
  if (entry.includes('@')) throw new InvalidHost(`${show(entry)} has user info; give the host only, like 'api.x.com'`)
  const text = entry.toLowerCase()
  let host = text
  let port: string | undefined
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0) throw new InvalidHost(`${show(entry)} has an unclosed '['`)
    host = text.slice(0, close + 1)
    const rest = text.slice(close + 1)
    if (rest !== '') {
      if (!rest.startsWith(':')) throw new InvalidHost(`${show(entry)} has unexpected text after ']'`)
      port = rest.slice(1)
    }
  } else {
    const colons = text.split(':').length - 1
    if (colons > 1) throw new InvalidHost(`${show(entry)} has several ':'; write an IPv6 address in brackets, like '[::1]:8080'`)
    if (colons === 1) {
      const at = text.lastIndexOf(':')
      host = text.slice(0, at)
      port = text.slice(at + 1)
    }
  }
  const name = parseHostName(host, entry)
  if (port === undefined) return name
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new InvalidHost(`${show(entry)} has an invalid port ${show(port)} (1-65535)`)
  }
  return `${name}:${Number(port)}`
}

/** A normalized host rule for one entry. `index` positions errors inside the option. */
export function parseHostRule(entry: unknown, index = 0): string {
  const fail = (reason: string): never => {
    throw new OptionError({ option: 'allowedHosts', value: entry, reason, accepted: HOSTS_ACCEPTED, path: [index] })
  }
  if (typeof entry !== 'string') return fail(`entry ${index} (${show(entry)}) is ${kindOf(entry)}, not a string`)
  try {
    return parseHostRuleOrReason(entry)
  } catch (error) {
    if (error instanceof InvalidHost) return fail(error.message)
    throw error
  }
}

/** The host rules of `allowedHosts`, duplicates removed (after normalization). */
export function parseAllowedHosts(value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw new OptionError({
      option: 'allowedHosts', value, reason: `${show(value)} is ${kindOf(value)}, not an array`, accepted: HOSTS_ACCEPTED,
    })
  }
  return [...new Set(value.map((entry, index) => parseHostRule(entry, index)))]
}
