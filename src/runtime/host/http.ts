// The `http-fetch` host import: the worker's synchronous HTTP client checks every hop against
// the call's allowed hosts; each hop made is recorded (method, URL, status, time — no headers).
import { createHttpClient, type HttpClient, type HttpRequest } from '../capabilities/http.ts'
import { fail, succeed } from '../capabilities/result.ts'
import type { CallState } from './call-state.ts'
import { toWitResult } from './wit-result.ts'

/** Requests (redirect hops included) one call may make: each is recorded in the envelope. */
export const MAX_HOST_REQUESTS = 500

export function httpImports(current: () => CallState) {
  let client: HttpClient | undefined
  return {
    httpFetch(request: { method: string; url: string; headers: [string, string][]; body: Uint8Array | undefined }) {
      const state = current()
      // Refused rather than left unrecorded: the envelope lists every request a task made.
      if (state.hostRequests.length >= MAX_HOST_REQUESTS) {
        return toWitResult(state, fail('EMFILE', `EMFILE: a task may make at most ${MAX_HOST_REQUESTS} HTTP requests per call`))
      }
      client ??= createHttpClient()
      const outgoing: HttpRequest = { method: request.method, url: request.url, headers: request.headers }
      if (request.body !== undefined) outgoing.body = request.body
      const remaining = state.remainingMs()
      const answer = client.request(outgoing, state.policy.hosts, remaining === null ? {} : { timeoutMs: Math.max(1, remaining) })
      state.hostRequests.push(...answer.records.slice(0, MAX_HOST_REQUESTS - state.hostRequests.length))
      return toWitResult(state, answer.ok ? succeed(answer.response) : fail(answer.code, answer.message, answer.denied))
    },
  }
}
