// Host rules: exact, one-label wildcards, '*', ports, IDNA, IPv4/IPv6 literals, userinfo tricks.

import { describe, expect, it } from 'vitest'
import { checkUrl, parseHostRule } from '../src/runtime/capabilities/hosts.ts'

type Case = [url: string, rules: string[], allowed: boolean]

const table: Case[] = [
  // exact hosts, case and trailing dot
  ['https://api.x.com/v1?q=1', ['api.x.com'], true],
  ['https://API.X.COM/', ['api.x.com'], true],
  ['https://api.x.com./', ['api.x.com'], true],
  ['https://api.x.com/', ['API.X.COM.'], true],
  ['https://x.com/', ['api.x.com'], false],
  ['https://api.x.com.evil.com/', ['api.x.com'], false],
  ['https://evilapi.x.com/', ['api.x.com'], false],
  ['https://other.com/', [], false],
  // one-label wildcard
  ['https://a.x.com/', ['*.x.com'], true],
  ['https://A.X.com/', ['*.x.com'], true],
  ['https://x.com/', ['*.x.com'], false],
  ['https://a.b.x.com/', ['*.x.com'], false],
  ['https://ax.com/', ['*.x.com'], false],
  ['https://a.x.com.evil.com/', ['*.x.com'], false],
  // everything
  ['https://anything.example/', ['*'], true],
  ['http://10.0.0.1:8080/', ['*'], true],
  ['http://[::1]:3000/', ['*'], true],
  // ports (default 80/443 when the rule has one)
  ['https://api.x.com/', ['api.x.com:443'], true],
  ['http://api.x.com/', ['api.x.com:80'], true],
  ['http://api.x.com/', ['api.x.com:443'], false],
  ['https://api.x.com:8443/', ['api.x.com:443'], false],
  ['https://api.x.com:8443/', ['api.x.com:8443'], true],
  ['https://api.x.com:8443/', ['api.x.com'], true],
  ['https://a.x.com:8443/', ['*.x.com:8443'], true],
  ['https://a.x.com/', ['*.x.com:8443'], false],
  ['http://anything:9/', ['*:9'], true],
  ['http://anything:10/', ['*:9'], false],
  // IPv4 (URL canonicalizes other spellings)
  ['http://127.0.0.1:8080/', ['127.0.0.1'], true],
  ['http://127.0.0.1:8080/', ['127.0.0.1:8080'], true],
  ['http://127.0.0.1:8081/', ['127.0.0.1:8080'], false],
  ['http://2130706433/', ['127.0.0.1'], true],
  ['http://0x7f.1/', ['127.0.0.1'], true],
  ['http://127.0.0.2/', ['127.0.0.1'], false],
  ['http://127.0.0.1/', ['localhost'], false],
  ['http://localhost/', ['127.0.0.1'], false],
  ['http://1.2.3.4/', ['*.2.3.4'], false],
  // IPv6 compares bracketed and canonical
  ['http://[::1]/', ['[::1]'], true],
  ['http://[0:0:0:0:0:0:0:1]:8080/', ['[::1]:8080'], true],
  ['http://[::1]:8080/', ['[0:0::1]'], true],
  ['http://[::2]/', ['[::1]'], false],
  ['http://[::1]/', ['::1'], false],
  // IDNA: Unicode and punycode spellings are the same host
  ['https://bücher.example/', ['xn--bcher-kva.example'], true],
  ['https://xn--bcher-kva.example/', ['bücher.example'], true],
  ['https://BÜCHER.example/', ['bücher.example'], true],
  ['https://shop.bücher.example/', ['*.bücher.example'], true],
  ['https://bucher.example/', ['bücher.example'], false],
  // several rules: any may match
  ['https://b.y.org/', ['api.x.com', '*.y.org'], true],
]

describe('checkUrl rule table', () => {
  it.each(table)('%s with %j → %s', (url, rules, allowed) => {
    const result = checkUrl(url, rules)
    expect(result.ok).toBe(allowed)
    if (!result.ok) expect(result.kind).toBe('denied')
  })
})

describe('checkUrl refusals', () => {
  it('never matches on userinfo: the real host decides, and credentials are refused', () => {
    // the real host of 'http://127.0.0.1@other.invalid/' is other.invalid, which no rule allows
    expect(checkUrl('http://127.0.0.1@other.invalid/', ['127.0.0.1', 'api.x.com'])).toMatchObject({ ok: false, kind: 'denied' })
    // an allowed real host with credentials is still refused, as WHATWG fetch does
    for (const url of ['http://user:pw@api.x.com/', 'http://api.x.com@127.0.0.1/']) {
      expect(checkUrl(url, ['127.0.0.1', 'api.x.com'])).toMatchObject({ ok: false, kind: 'invalid' })
    }
  })

  it('only http: and https:', () => {
    for (const url of ['file:///etc/passwd', 'ftp://api.x.com/', 'data:text/plain,hi', 'ws://api.x.com/', 'javascript:alert(1)'])
      expect(checkUrl(url, ['*'])).toMatchObject({ ok: false, kind: 'invalid' })
  })

  it('rejects unparsable URLs', () => {
    for (const url of ['', 'not a url', '/relative/path', 'http://'])
      expect(checkUrl(url, ['*'])).toMatchObject({ ok: false, kind: 'invalid' })
  })

  it('returns the parsed URL when allowed and names host and port when denied', () => {
    const allowed = checkUrl('HTTPS://Api.X.com/a?b=1', ['api.x.com'])
    expect(allowed.ok && allowed.url.href).toBe('https://api.x.com/a?b=1')
    const denied = checkUrl('https://other.com/secret-path?token=abc', ['api.x.com'])
    expect(denied).toEqual({ ok: false, kind: 'denied', reason: "host 'other.com:443' is not in allowedHosts" })
  })
})

describe('parseHostRule', () => {
  it('ignores malformed rules instead of widening them', () => {
    for (const rule of ['', 'a.*.com', '**.x.com', 'x.com:99999', 'x.com:abc', '::1', 'a/b', 'user@x.com', '*x.com', '*.'])
      expect(parseHostRule(rule), rule).toBeNull()
    expect(checkUrl('https://x.com/', ['x.com:abc', 'a.*.com']).ok).toBe(false)
  })

  it('parses the accepted forms', () => {
    expect(parseHostRule('*')).toEqual({ kind: 'any', host: '*', port: null })
    expect(parseHostRule('*.X.com:8080')).toEqual({ kind: 'wildcard', host: 'x.com', port: 8080 })
    expect(parseHostRule('[::1]:443')).toEqual({ kind: 'exact', host: '[::1]', port: 443 })
    expect(parseHostRule('bücher.example')).toEqual({ kind: 'exact', host: 'xn--bcher-kva.example', port: null })
  })
})
