// The guest's global `fetch`: the request is normalized with the engine's own Request class and
// handed to the host, which checks every hop against the task's allowed hosts before sending
// anything. A refusal rejects with a `PermissionDenied` error.
import { httpFetch } from 'capsule:sandbox/host@0.1.0'
import { callHost } from './host-errors.ts'

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304])

export async function guestFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input instanceof URL ? input.href : input, init)
  const method = request.method.toUpperCase()
  const body = method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer())
  const headers: [string, string][] = []
  request.headers.forEach((value, name) => headers.push([name, value]))
  const answer = callHost('fetch', undefined, () => httpFetch({ method, url: request.url, headers, body }))
  const response = new Response(NULL_BODY_STATUSES.has(answer.status) ? null : (answer.body as BodyInit), {
    status: answer.status,
    statusText: answer.statusText,
    headers: answer.headers,
  })
  Object.defineProperty(response, 'url', { value: answer.url })
  Object.defineProperty(response, 'redirected', { value: answer.url !== request.url })
  return response
}
