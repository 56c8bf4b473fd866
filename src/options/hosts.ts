// The `allowedHosts` option: a list of host rules (the grammar and its normalization are in
// host-rule.ts), each entry checked with its position, duplicates removed after normalization.

import { OptionError, kindOf, show } from './errors.ts'
import { checkHostRule, formatHostRule, InvalidHostRule } from './host-rule.ts'

export const HOSTS_ACCEPTED =
  "an array of hosts: 'api.x.com', '*.x.com' (wildcard only as the whole first label), '*' (any host), an IPv4 address or a bracketed IPv6 address like '[::1]', each with an optional ':port' (1-65535); no scheme, path or spaces"

/** One entry's normalized rule. `index` positions errors inside the option. */
function allowedHost(entry: unknown, index: number): string {
  const fail = (reason: string): OptionError =>
    new OptionError({ option: 'allowedHosts', value: entry, reason, accepted: HOSTS_ACCEPTED, path: [index] })
  if (typeof entry !== 'string') throw fail(`entry ${index} (${show(entry)}) is ${kindOf(entry)}, not a string`)
  try {
    return formatHostRule(checkHostRule(entry))
  } catch (error) {
    if (error instanceof InvalidHostRule) throw fail(error.message)
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
  return [...new Set(value.map((entry, index) => allowedHost(entry, index)))]
}
