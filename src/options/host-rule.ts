// The one model of a host rule (an `allowedHosts` entry): parsed once into a HostRule, with what
// it matches and what it covers beside it. The build validates rules with it (the reasons become
// option errors at file:line); the runtime reads granted rules with it and matches request hosts.
// Forms: 'api.x.com', '*.x.com' (wildcard = exactly one more label), '*' (any host), '1.2.3.4',
// '[::1]', each with an optional ':port' (1-65535). Normalized: lowercase, no trailing dot,
// punycode for non-ASCII names, canonical IPv6.

import { isIPv6 } from 'node:net'
import { domainToASCII } from 'node:url'
import { show } from './errors.ts'

export interface HostRule {
  kind: 'any' | 'exact' | 'wildcard'
  /** exact: the host; wildcard: the suffix after '*.'; any: '*' */
  host: string
  port: number | null
}

/** Why an entry is not a host rule; the message names the entry. */
export class InvalidHostRule extends Error {}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/

function parseIPv4(labels: string[]): string | null {
  if (labels.length !== 4) return null
  for (const label of labels) {
    if (!/^(0|[1-9]\d{0,2})$/.test(label) || Number(label) > 255) return null
  }
  return labels.join('.')
}

/** The rule's kind and normalized host, from its host part (no port). */
function parseHost(host: string, original: string): Omit<HostRule, 'port'> {
  if (host === '') throw new InvalidHostRule(`${show(original)} has no host`)
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) throw new InvalidHostRule(`${show(original)} has an unclosed '['`)
    const inner = host.slice(1, -1)
    if (!isIPv6(inner) || inner.includes('%')) throw new InvalidHostRule(`${show(original)} is not a valid IPv6 address`)
    try {
      return { kind: 'exact', host: new URL(`http://[${inner}]/`).hostname }
    } catch {
      throw new InvalidHostRule(`${show(original)} is not a valid IPv6 address`)
    }
  }
  if (host === '*') return { kind: 'any', host: '*' }
  let name = host.endsWith('.') ? host.slice(0, -1) : host
  const wildcard = name.startsWith('*.')
  if (wildcard) name = name.slice(2)
  if (name.includes('*')) throw new InvalidHostRule(`${show(original)} has a misplaced '*': a wildcard must be the whole first label, as in '*.x.com'`)
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name)
    if (ascii === '') throw new InvalidHostRule(`${show(original)} is not a valid international host name`)
    name = ascii
  }
  if (name.length > 253) throw new InvalidHostRule(`${show(original)} is longer than 253 characters`)
  const labels = name.split('.')
  if (labels.some((label) => label === '')) throw new InvalidHostRule(`${show(original)} has an empty label`)
  if (/^\d+$/.test(labels[labels.length - 1]!)) {
    const ip = wildcard ? null : parseIPv4(labels)
    if (ip === null) throw new InvalidHostRule(`${show(original)} is not a valid IPv4 address (four numbers 0-255) or host name`)
    return { kind: 'exact', host: ip }
  }
  for (const label of labels) {
    if (!LABEL.test(label)) throw new InvalidHostRule(`${show(original)} has an invalid label ${show(label)} (letters, digits, '-' and '_', at most 63, no '-' at either end)`)
  }
  return { kind: wildcard ? 'wildcard' : 'exact', host: name }
}

/** Parses one entry; throws InvalidHostRule saying what is wrong with it. */
export function checkHostRule(entry: string): HostRule {
  if (entry === '') throw new InvalidHostRule(`${show(entry)} is empty`)
  if (/\s/.test(entry)) throw new InvalidHostRule(`${show(entry)} contains whitespace`)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) throw new InvalidHostRule(`${show(entry)} has a scheme; give the host only, like 'api.x.com'`)
  if (/[/?#]/.test(entry)) throw new InvalidHostRule(`${show(entry)} has a path, query or fragment; give the host only, like 'api.x.com'`)
  if (entry.includes('@')) throw new InvalidHostRule(`${show(entry)} has user info; give the host only, like 'api.x.com'`)
  const text = entry.toLowerCase()
  let host = text
  let port: string | undefined
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0) throw new InvalidHostRule(`${show(entry)} has an unclosed '['`)
    host = text.slice(0, close + 1)
    const rest = text.slice(close + 1)
    if (rest !== '') {
      if (!rest.startsWith(':')) throw new InvalidHostRule(`${show(entry)} has unexpected text after ']'`)
      port = rest.slice(1)
    }
  } else {
    const colons = text.split(':').length - 1
    if (colons > 1) throw new InvalidHostRule(`${show(entry)} has several ':'; write an IPv6 address in brackets, like '[::1]:8080'`)
    if (colons === 1) {
      const at = text.lastIndexOf(':')
      host = text.slice(0, at)
      port = text.slice(at + 1)
    }
  }
  const parsed = parseHost(host, entry)
  if (port === undefined) return { ...parsed, port: null }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new InvalidHostRule(`${show(entry)} has an invalid port ${show(port)} (1-65535)`)
  }
  return { ...parsed, port: Number(port) }
}

const granted = new Map<string, HostRule | null>()

/** A granted rule as the runtime reads it; null when it is not a rule (it then matches nothing, never more). */
export function parseHostRule(entry: string): HostRule | null {
  const known = granted.get(entry)
  if (known !== undefined) return known
  let rule: HostRule | null
  try {
    rule = checkHostRule(entry)
  } catch (error) {
    if (!(error instanceof InvalidHostRule)) throw error
    rule = null
  }
  if (granted.size > 10_000) granted.clear()
  granted.set(entry, rule)
  return rule
}

/** The rule's normalized text (what a build records): 'api.x.com', '*.x.com:8080', '[::1]', '*'. */
export function formatHostRule(rule: HostRule): string {
  const host = rule.kind === 'wildcard' ? `*.${rule.host}` : rule.host
  return rule.port === null ? host : `${host}:${rule.port}`
}

function isIpLiteral(host: string): boolean {
  return host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host)
}

/** The one-label wildcard: `name` is exactly one label below `suffix` (never an IP literal). */
function isOneLabelBelow(name: string, suffix: string): boolean {
  if (isIpLiteral(name) || !name.endsWith(`.${suffix}`)) return false
  const label = name.slice(0, name.length - suffix.length - 1)
  return label !== '' && !label.includes('.')
}

/** Whether the rule allows `host` (canonical, as WHATWG URL gives it, no trailing dot) on `port`. */
export function hostRuleMatches(rule: HostRule, host: string, port: number): boolean {
  if (rule.port !== null && rule.port !== port) return false
  if (rule.kind === 'any') return true
  if (rule.kind === 'exact') return rule.host === host
  return isOneLabelBelow(host, rule.host)
}

/** Whether every host:port `inner` allows is also allowed by `outer`. */
export function hostRuleCovers(outer: HostRule, inner: HostRule): boolean {
  if (outer.port !== null && outer.port !== inner.port) return false
  if (outer.kind === 'any') return true
  if (inner.kind === 'any') return false
  if (outer.kind === 'exact') return inner.kind === 'exact' && inner.host === outer.host
  if (inner.kind === 'wildcard') return inner.host === outer.host
  return isOneLabelBelow(inner.host, outer.host)
}
