// The matchers' types, added to Vitest's `expect` (Vitest 3.2–4.x: `Matchers<T = any>`; Vitest 5
// changes its type parameters, so this declaration serves Vitest 4). A matcher on a promise (a
// task call) returns a Promise to await; on an envelope it checks synchronously. The result type
// of the task flows into `toSucceedWith`: `expect(add(2, 3)).toSucceedWith('5')` is a type error
// when `add` returns a number.
import type { Envelope, ErrorType, LogLevel } from '../types.ts'

/** `Promise<void>` when the received value is a promise (await it), else `void`. */
export type CapsuleAssertionResult<T> = T extends PromiseLike<unknown> ? Promise<void> : void

/** The result type of the envelope `T` is, or resolves to; `unknown` when T is `any` or no envelope. */
export type EnvelopeResult<T> = 0 extends 1 & T ? unknown : Awaited<T> extends Envelope<infer R> ? R : unknown

/**
 * The envelope matchers. On a task call (a Promise) each returns a Promise: always `await` it —
 * `await expect(add(2, 3)).toSucceedWith(5)`. One never awaited fails its test when it ends.
 */
export interface CapsuleMatchers<R = unknown, T = unknown> {
  /** The call succeeded (`success: true`); the failure message shows its error_type, message and logs. */
  toSucceed(): R
  /** The call succeeded and its result deep-equals `expected` (asymmetric matchers allowed). */
  toSucceedWith(expected: EnvelopeResult<T>): R
  /** The call succeeded within `duration` (`execution.duration_ms`): '50ms', '2s', '1m30s' or ms. */
  toSucceedWithin(duration: string | number): R
  /** The call failed (`success: false`), whatever its error_type; the failure message shows the result. */
  toFail(): R
  /** The call failed with this error_type; `message` is contained (string) or matched (RegExp). */
  toFailWith(errorType: ErrorType, message?: string | RegExp): R
  /** `execution.fuel_consumed` is below `fuel` (deterministic: the same task and arguments, the same fuel). */
  toUseFuelBelow(fuel: number): R
  /** `execution.ram_used` (peak sandbox memory) is below `size`: bytes or '16MB', '512KB', '1.5GB'. */
  toUseMemoryBelow(size: string | number): R
  /** `execution.host_requests` holds a request to a host ('api.x.com'), a URL prefix ('https://…/v1/') or a URL matching a RegExp. */
  toHaveRequested(hostOrUrl: string | RegExp): R
  /** `execution.retries` is exactly `times`; without `times`, at least one retry happened. */
  toHaveRetried(times?: number): R
  /** A log entry contains `text` (string) or matches it (RegExp); with `level`, only that console level counts. */
  toHaveLogged(text: string | RegExp, level?: LogLevel): R
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Vitest's own declaration
  interface Matchers<T = any> extends CapsuleMatchers<CapsuleAssertionResult<T>, T> {}
}
