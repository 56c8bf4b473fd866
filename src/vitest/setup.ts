// `unplugin-capsule/vitest/setup`: registers the envelope matchers and their types, and fails a
// test that forgot to `await` one of them on a task call. List it in `test.setupFiles`
// (capsuleTest() does it for you) or import it from a setup file of your own.
import { expect } from 'vitest'
import { matchers } from './matchers/index.ts'
import { failUnawaitedMatchers } from './unawaited.ts'

export type { CapsuleAssertionResult, CapsuleMatchers, EnvelopeResult } from './types.ts'

expect.extend(matchers)
failUnawaitedMatchers(Object.keys(matchers))
