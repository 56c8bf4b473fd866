// Converts a capability answer into the `result<T, failure>` shape jco's glue expects from a
// host import, and counts policy denials on the call so the host can classify them.
import type { CapabilityResult } from '../capabilities/result.ts'
import type { CallState } from './call-state.ts'

export type WitResult<T> = { tag: 'ok'; val: T } | { tag: 'err'; val: { code: string; message: string } }

export function toWitResult<T, U = T>(state: CallState, answer: CapabilityResult<T>, map?: (value: T) => U): WitResult<U> {
  if (answer.ok) return { tag: 'ok', val: map ? map(answer.value) : (answer.value as unknown as U) }
  if (answer.denied) state.denials++
  return { tag: 'err', val: { code: answer.code, message: answer.message } }
}
