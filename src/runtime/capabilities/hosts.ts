// URL checks for the guest's `fetch`, done on the host with WHATWG URL, against the granted host
// rules (their grammar, matching and normalization: options/host-rule.ts; a rule that does not
// parse matches nothing). A URL without a port uses 80/443; hosts compare after IDNA (punycode),
// lowercase, without a trailing dot.
// Only http: and https:. The host that counts is never the userinfo: a URL whose real host is
// not allowed is denied; one with credentials is refused even when its host is allowed (as
// WHATWG fetch does), so no secret reaches a record.

import { hostRuleMatches, parseHostRule, type HostRule } from '../../options/host-rule.ts'

/** How granted rules are read (the rule model lives in options/host-rule.ts). */
export { parseHostRule, type HostRule }

export type UrlCheck =
  /** `named`: an exact rule (a name or an IP literal) matched: the user named this host, so it
   *  may be internal; a host matched only by wildcard rules may never resolve to an internal address. */
  | { ok: true, url: URL, named: boolean }
  /** 'invalid': not a usable http(s) URL; 'denied': no host rule allows it. */
  | { ok: false, kind: 'invalid' | 'denied', reason: string }

function stripTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host
}

/** Parses `url` and allows it only if some rule matches its real host and port. */
export function checkUrl(url: string, rules: readonly string[]): UrlCheck {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { ok: false, kind: 'invalid', reason: `invalid URL: ${String(url).slice(0, 200)}` }
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return { ok: false, kind: 'invalid', reason: `unsupported protocol '${parsed.protocol}' (only http: and https:)` }
  const host = stripTrailingDot(parsed.hostname)
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port)
  const matched = rules.map(parseHostRule).filter((rule): rule is HostRule => rule !== null && hostRuleMatches(rule, host, port))
  const allowed = matched.length > 0
  // The real host decides (never the userinfo): 'http://127.0.0.1@evil/' is a request to 'evil'.
  if (!allowed) return { ok: false, kind: 'denied', reason: `host '${host}:${port}' is not in allowedHosts` }
  if (parsed.username !== '' || parsed.password !== '')
    return { ok: false, kind: 'invalid', reason: 'URLs with credentials (user:password@) are not allowed' }
  return { ok: true, url: parsed, named: matched.some(rule => rule.kind === 'exact') }
}
