// The answer shape every capability operation returns to the sandbox host imports:
// never throws; a failure carries a Node-style code and says whether a policy denied it.

export interface CapabilityOk<T> {
  ok: true
  value: T
}

export interface CapabilityFailure {
  ok: false
  /** Node-style code: 'EACCES' (file policy), 'ENETDENIED' (host policy), 'ENOENT', ... */
  code: string
  /** Safe to show to the guest: names guest paths or URLs, never file contents or host paths. */
  message: string
  /** true when the capability policy refused the operation (→ `permission_denied` if uncaught). */
  denied: boolean
}

export type CapabilityResult<T> = CapabilityOk<T> | CapabilityFailure

/** A successful answer carrying `value`. */
export function succeed<T>(value: T): CapabilityOk<T> {
  return { ok: true, value }
}

/** A failed answer; `denied` when a capability policy refused the operation. */
export function fail(code: string, message: string, denied = false): CapabilityFailure {
  return { ok: false, code, message, denied }
}
