// Type-level checks, run by `tsc --noEmit` (never executed): the task proxy's argument and return
// types flow into the matchers. Each `@ts-expect-error` must meet an error, or tsc fails.
import { expect, expectTypeOf } from 'vitest'
import type { Envelope } from 'unplugin-capsule'
import { fetchStatus, fibonacci } from '../tasks/tools.capsule.ts'

expectTypeOf(fibonacci).parameters.toEqualTypeOf<[n: number]>()
expectTypeOf(fibonacci).returns.resolves.toEqualTypeOf<Envelope<number>>()

export async function typesFlow(): Promise<void> {
  await expect(fibonacci(10)).toSucceedWith(55)
  // @ts-expect-error -- fibonacci answers a number, not a string
  await expect(fibonacci(10)).toSucceedWith('55')
  // @ts-expect-error -- fibonacci takes a number
  await expect(fibonacci('10')).toSucceed()
  await expect(fetchStatus('http://127.0.0.1/')).toSucceedWith({ status: 200, body: expect.any(String) })
  // @ts-expect-error -- the result has no `text`
  await expect(fetchStatus('http://127.0.0.1/')).toSucceedWith({ status: 200, text: '' })
  // @ts-expect-error -- not an error_type
  await expect(fibonacci(1)).toFailWith('boom')
  // @ts-expect-error -- not a console level
  await expect(fibonacci(1)).toHaveLogged('x', 'verbose')
  // A matcher on a task call is a Promise (await it); on an envelope, a synchronous check.
  expectTypeOf(expect(fibonacci(1)).toSucceed()).toEqualTypeOf<Promise<void>>()
  expectTypeOf(expect(await fibonacci(1)).toSucceed()).toEqualTypeOf<void>()
}
