// `unplugin-capsule/vitest/setup`: registers the envelope matchers and their types. List it in
// `test.setupFiles` (capsuleTest() does it for you) or import it from a setup file of your own.
import { expect } from 'vitest'
import { matchers } from './matchers/index.ts'

export type { CapsuleAssertionResult, CapsuleMatchers } from './types.ts'

expect.extend(matchers)
