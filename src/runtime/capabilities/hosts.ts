// URL + host rule matching for the guest's `fetch`, done on the host with WHATWG URL.
// Rules: 'api.x.com' (exact), '*.x.com' (exactly one more label), '*' (any host), an IPv4
// literal, '[::1]' (bracketed IPv6), each with an optional ':port' (a URL without a port uses
// 80/443). Hosts compare after IDNA (punycode), lowercase, without a trailing dot.
// Only http: and https:. The host that counts is never the userinfo: a URL whose real host is
// not allowed is denied; one with credentials is refused even when its host is allowed (as
// WHATWG fetch does), so no secret reaches a record.

export type UrlCheck =
  /** `named`: an exact rule (a name or an IP literal) matched: the user named this host, so it
   *  may be internal; a host matched only by wildcard rules may never resolve to an internal address. */
  | { ok: true, url: URL, named: boolean }
  /** 'invalid': not a usable http(s) URL; 'denied': no host rule allows it. */
  | { ok: false, kind: 'invalid' | 'denied', reason: string }

export interface HostRule {
  kind: 'any' | 'exact' | 'wildcard'
  /** exact: the host; wildcard: the suffix after '*.' */
  host: string
  port: number | null
}

const parsedRules = new Map<string, HostRule | null>()

function stripTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host
}

/** Canonical form of a rule's host through WHATWG URL (IDNA, IPv4/IPv6 forms), or null. */
function canonicalHost(host: string): string | null {
  if (host === '' || /[\s/\\?#@%]/.test(host)) return null
  try {
    const hostname = new URL(`http://${host}/`).hostname
    return hostname === '' ? null : stripTrailingDot(hostname)
  } catch {
    return null
  }
}

function isIpLiteral(host: string): boolean {
  return host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host)
}

/** Parses one rule; malformed rules match nothing. */
export function parseHostRule(rule: string): HostRule | null {
  const cached = parsedRules.get(rule)
  if (cached !== undefined) return cached
  let parsed: HostRule | null = null
  const text = rule.trim().toLowerCase()
  const split = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(text)
  const port = split?.[2] === undefined ? null : Number(split[2])
  if (split && (port === null || port <= 65535)) {
    const host = split[1] ?? ''
    if (host === '*') {
      parsed = { kind: 'any', host: '*', port }
    } else if (host.startsWith('*.')) {
      const suffix = canonicalHost(host.slice(2))
      if (suffix && !suffix.includes('*') && !isIpLiteral(suffix)) parsed = { kind: 'wildcard', host: suffix, port }
    } else if (!host.includes('*')) {
      const exact = canonicalHost(host)
      if (exact) parsed = { kind: 'exact', host: exact, port }
    }
  }
  if (parsedRules.size > 10_000) parsedRules.clear()
  parsedRules.set(rule, parsed)
  return parsed
}

function ruleMatches(rule: HostRule, host: string, port: number): boolean {
  if (rule.port !== null && rule.port !== port) return false
  if (rule.kind === 'any') return true
  if (rule.kind === 'exact') return rule.host === host
  if (isIpLiteral(host) || !host.endsWith(`.${rule.host}`)) return false
  const label = host.slice(0, host.length - rule.host.length - 1)
  return label !== '' && !label.includes('.')
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
  const matched = rules.map(parseHostRule).filter((rule): rule is HostRule => rule !== null && ruleMatches(rule, host, port))
  const allowed = matched.length > 0
  // The real host decides (never the userinfo): 'http://127.0.0.1@evil/' is a request to 'evil'.
  if (!allowed) return { ok: false, kind: 'denied', reason: `host '${host}:${port}' is not in allowedHosts` }
  if (parsed.username !== '' || parsed.password !== '')
    return { ok: false, kind: 'invalid', reason: 'URLs with credentials (user:password@) are not allowed' }
  return { ok: true, url: parsed, named: matched.some(rule => rule.kind === 'exact') }
}
