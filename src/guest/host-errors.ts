// Turns a host `failure` (an `err` of a host import) into a Node-style error inside the guest.
import type { Failure } from 'capsule:sandbox/host@0.1.0'

export interface NodeStyleError extends Error {
  code: string
  syscall?: string
  path?: string
}

function failureOf(thrown: unknown): Failure | undefined {
  const candidate = (thrown as { payload?: unknown } | null)?.payload ?? thrown
  const failure = candidate as Partial<Failure> | null
  return failure && typeof failure.code === 'string' && typeof failure.message === 'string'
    ? (failure as Failure)
    : undefined
}

export function toNodeError(thrown: unknown, syscall: string, path?: string): unknown {
  const failure = failureOf(thrown)
  if (!failure) return thrown
  const error = new Error(failure.message) as NodeStyleError
  error.code = failure.code
  error.syscall = syscall
  if (path !== undefined) error.path = path
  if (failure.code === 'EACCES' || failure.code === 'ENETDENIED') error.name = 'PermissionDenied'
  return error
}

/** Calls a host import, rethrowing its failure as a Node-style error. */
export function callHost<T>(syscall: string, path: string | undefined, call: () => T): T {
  try {
    return call()
  } catch (thrown) {
    throw toNodeError(thrown, syscall, path)
  }
}
