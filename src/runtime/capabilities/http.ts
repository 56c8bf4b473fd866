// The synchronous HTTP client behind the guest's `fetch` host import. Every hop's URL is
// checked against the host rules BEFORE anything is sent; redirects (max 10) are followed
// here, hop by hop, so a redirect to a host outside the rules is stopped as a denial.
// Names are resolved here, on the host, and the hop connects to exactly the addresses that
// were checked (no second lookup an attacker's DNS could answer differently); a host matched
// only by a wildcard rule never reaches a loopback, private or link-local address.
// Records keep method, URL, status and duration of each hop made — never headers or bodies.

import { isIP } from 'node:net'
import type { HostRequest } from '../../types.ts'
import { isInternalAddress } from './addresses.ts'
import { checkUrl } from './hosts.ts'
import { createSyncHopChannel, type LookupAnswer } from './http-sync-channel.ts'

export interface HttpRequest {
  method: string
  url: string
  headers: [string, string][]
  body?: Uint8Array
}

export interface HttpResponse {
  status: number
  statusText: string
  /** The final URL, after redirects. */
  url: string
  headers: [string, string][]
  body: Uint8Array
}

export interface HttpLimits {
  /** Response body cap in bytes (default 16 MB). */
  maxBodyBytes: number
  /** Whole request, redirects included (default 30 s). */
  timeoutMs: number
}

export type HttpResult =
  | { ok: true, response: HttpResponse, records: HostRequest[] }
  | { ok: false, code: string, message: string, denied: boolean, records: HostRequest[] }

export interface HttpClient {
  request(req: HttpRequest, rules: readonly string[], limits?: Partial<HttpLimits>): HttpResult
  /** Host policy denials so far. */
  readonly denials: number
  /** Ends the I/O worker; the client still works afterwards (it spawns a new one). */
  close(): Promise<void>
}

export interface HttpClientOptions {
  /**
   * Resolves a host name to its addresses (a test's resolver; default: DNS on the I/O worker).
   * Return an empty list for an unknown name.
   */
  lookup?: (hostname: string) => string[]
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { maxBodyBytes: 16 * 1024 * 1024, timeoutMs: 30_000 }
export const MAX_REDIRECTS = 10
/** Longest URL a task may request (each hop); longer ones are refused before anything is sent. */
export const MAX_URL_LENGTH = 8_192

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])
/** Set by the client itself, never by the guest. */
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect'])
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization'])
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location'])

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

/** A client whose one I/O worker serves every request made through it (see HttpClient.close). */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const channel = createSyncHopChannel()
  let denials = 0

  function resolveName(hostname: string, timeoutMs: number): LookupAnswer {
    if (!options.lookup) return channel.lookup(hostname, timeoutMs)
    try {
      const addresses = options.lookup(hostname).filter(address => isIP(address) !== 0)
      return addresses.length > 0 ? { ok: true, addresses } : { ok: false, code: 'ENOTFOUND', message: `getaddrinfo ENOTFOUND ${hostname}` }
    } catch (error) {
      return { ok: false, code: 'ENOTFOUND', message: `getaddrinfo ENOTFOUND ${hostname}: ${(error as Error).message}` }
    }
  }

  return {
    get denials() {
      return denials
    },
    close: () => channel.close(),

    request(req, rules, limits) {
      const records: HostRequest[] = []
      const failure = (code: string, message: string, denied = false): HttpResult => ({ ok: false, code, message, denied, records })
      const maxBodyBytes = positiveOr(limits?.maxBodyBytes, DEFAULT_HTTP_LIMITS.maxBodyBytes)
      const timeoutMs = positiveOr(limits?.timeoutMs, DEFAULT_HTTP_LIMITS.timeoutMs)
      const deadline = performance.now() + timeoutMs

      let method = String(req.method ?? 'GET').toUpperCase()
      if (!TOKEN.test(method)) return failure('EINVAL', `invalid HTTP method '${method}'`)
      if (FORBIDDEN_METHODS.has(method)) return failure('EINVAL', `HTTP method '${method}' is not allowed`)
      let body = req.body && req.body.byteLength > 0 ? req.body : undefined
      if (body && (method === 'GET' || method === 'HEAD')) return failure('EINVAL', `a ${method} request cannot have a body`)
      let headers: [string, string][] = []
      for (const [name, value] of req.headers ?? []) {
        const lower = String(name).toLowerCase()
        if (!TOKEN.test(lower) || /[\r\n\0]/.test(String(value))) return failure('EINVAL', `invalid header '${String(name).slice(0, 100)}'`)
        if (!DROPPED_HEADERS.has(lower)) headers.push([lower, String(value)])
      }

      let url = String(req.url)
      for (let hop = 0; ; hop++) {
        if (url.length > MAX_URL_LENGTH) return failure('ERR_INVALID_URL', `the URL is longer than ${MAX_URL_LENGTH} characters`)
        const check = checkUrl(url, rules)
        if (!check.ok) {
          if (check.kind === 'invalid') return failure('ERR_INVALID_URL', check.reason)
          denials++
          return failure('ENETDENIED', `ENETDENIED: ${check.reason}`, true)
        }
        let remaining = Math.floor(deadline - performance.now())
        if (remaining <= 0) return failure('ETIMEDOUT', `request timed out after ${timeoutMs} ms`)
        // The addresses this hop may connect to, checked before anything is sent.
        const hostname = check.url.hostname.replace(/^\[|\]$/g, '')
        let addresses: string[]
        if (isIP(hostname) !== 0) {
          addresses = [hostname]
        } else {
          const found = resolveName(hostname, remaining)
          if (!found.ok) return failure(found.code, found.message)
          addresses = found.addresses
        }
        if (!check.named) addresses = addresses.filter(address => !isInternalAddress(address))
        if (addresses.length === 0) {
          denials++
          return failure('ENETDENIED', `ENETDENIED: host '${hostname}' is internal (loopback, private or link-local) and only a wildcard rule matched it; name it in allowedHosts to reach it`, true)
        }
        remaining = Math.floor(deadline - performance.now())
        if (remaining <= 0) return failure('ETIMEDOUT', `request timed out after ${timeoutMs} ms`)
        const started = performance.now()
        const answer = channel.send({ method, url: check.url.href, addresses, headers, body, maxBodyBytes, timeoutMs: remaining })
        records.push({
          method,
          url: check.url.href,
          status: answer.ok ? answer.status : null,
          duration_ms: roundMs(performance.now() - started),
        })
        if (!answer.ok) return failure(answer.code, answer.message)

        const location = answer.headers.find(([name]) => name === 'location')?.[1]
        if (!REDIRECT_STATUSES.has(answer.status) || location === undefined) {
          return { ok: true, response: { status: answer.status, statusText: answer.statusText, url: check.url.href, headers: answer.headers, body: answer.body }, records }
        }
        if (hop >= MAX_REDIRECTS) return failure('ERR_TOO_MANY_REDIRECTS', `more than ${MAX_REDIRECTS} redirects`)
        let next: URL
        try {
          next = new URL(location, check.url)
        } catch {
          return failure('ERR_INVALID_URL', 'invalid redirect location')
        }
        if ((answer.status === 303 && method !== 'GET' && method !== 'HEAD')
          || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
          method = 'GET'
          body = undefined
          headers = headers.filter(([name]) => !BODY_HEADERS.has(name))
        }
        if (next.origin !== check.url.origin) headers = headers.filter(([name]) => !CREDENTIAL_HEADERS.has(name))
        url = next.href
      }
    },
  }
}
