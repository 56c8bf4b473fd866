// The matchers' types, added to Vitest's `expect` (Vitest 3.2–4.x: `Matchers<T = any>`; Vitest 5
// changes its type parameters, so this declaration serves Vitest 4). A matcher on a promise (a
// task call) returns a Promise to await; on an envelope it checks synchronously.
import type { ErrorType } from '../types.ts'

/** `Promise<void>` when the received value is a promise (await it), else `void`. */
export type CapsuleAssertionResult<T> = T extends PromiseLike<unknown> ? Promise<void> : void

export interface CapsuleMatchers<R = unknown> {
  /** The call succeeded (`success: true`); the failure message shows its error_type and message. */
  toSucceed(): R
  /** The call succeeded and its result deep-equals `expected` (asymmetric matchers allowed). */
  toSucceedWith(expected: unknown): R
  /** The call succeeded within `duration` (`execution.duration_ms`): '50ms', '2s', '1m30s' or ms. */
  toSucceedWithin(duration: string | number): R
  /** The call failed with this error_type; `message` is contained (string) or matched (RegExp). */
  toFailWith(errorType: ErrorType, message?: string | RegExp): R
  /** `execution.fuel_consumed` is below `fuel`. */
  toUseFuelBelow(fuel: number): R
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Vitest's own declaration
  interface Matchers<T = any> extends CapsuleMatchers<CapsuleAssertionResult<T>> {}
}
