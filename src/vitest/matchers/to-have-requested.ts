// expect(envelope).toHaveRequested(hostOrUrl): execution.host_requests holds a request to it. A
// string without '://' is a host (`api.x.com`, or `127.0.0.1:8080` to require that port), compared
// case-insensitively; a string with '://' is a URL prefix; a RegExp is tested against each URL.
// Only requests that went out are recorded: one the policy denied is not (the call answers
// permission_denied instead), so `.not` proves no request to it left the sandbox.
import type { MatcherResult, MatcherState } from 'vitest'
import { show } from '../../options/errors.ts'
import type { Envelope } from '../../types.ts'
import { discard, hint, onEnvelope, outcomeNote, taskLabel, usageError } from '../envelope.ts'

const TARGET_ACCEPTED =
  "a host ('api.example.com', '127.0.0.1:8080'), a URL prefix ('https://api.example.com/v1/'), or a RegExp tested against each URL"

type Request = Envelope['execution']['host_requests'][number]

function checkTarget(target: unknown): void {
  if (target instanceof RegExp) return
  if (typeof target !== 'string' || target.trim() === '') {
    throw usageError('toHaveRequested(hostOrUrl)', `${show(target)} is neither a non-empty string nor a RegExp`, TARGET_ACCEPTED)
  }
}

function matches(request: Request, target: string | RegExp): boolean {
  if (target instanceof RegExp) {
    target.lastIndex = 0
    return target.test(request.url)
  }
  if (target.includes('://')) return request.url.startsWith(target)
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    return false
  }
  const wanted = target.trim().toLowerCase()
  return url.host.toLowerCase() === wanted || url.hostname.toLowerCase() === wanted
}

/** `Received requests: (none)` or one `GET url → status (ms)` line each. */
function requestLines(state: MatcherState, requests: Request[]): string {
  if (requests.length === 0) return `Received requests: ${state.utils.RECEIVED_COLOR('(none: the task made no HTTP request)')}`
  const lines = requests.map((request) => {
    const status = request.status === null ? 'no response (failed)' : String(request.status)
    return `  ${request.method} ${state.utils.printReceived(request.url)} → ${status}`
  })
  return `Received requests (${requests.length}):\n${lines.join('\n')}`
}

export function toHaveRequested(this: MatcherState, received: unknown, hostOrUrl: string | RegExp): MatcherResult {
  try {
    checkTarget(hostOrUrl)
  } catch (error) {
    discard(received)
    throw error
  }
  return onEnvelope('toHaveRequested', received, (envelope) => {
    const title = hint(this, 'toHaveRequested', 'hostOrUrl')
    const requests = envelope.execution.host_requests ?? []
    const pass = requests.some((request) => matches(request, hostOrUrl))
    const kind = hostOrUrl instanceof RegExp ? 'a URL matching' : hostOrUrl.includes('://') ? 'a URL starting with' : 'host'
    const wanted = `Expected a request to ${kind} ${this.utils.printExpected(hostOrUrl)}`
    const lines = `${wanted}\n${requestLines(this, requests)}`
    return {
      pass,
      message: pass
        ? () => `${title}\n\nExpected the ${taskLabel(this, envelope)} not to request it, but it did${outcomeNote(envelope)}\n${lines}`
        : () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to request it, but it did not${outcomeNote(envelope)}\n${lines}`,
    }
  })
}
