// The envelope matchers, one file each; `expect.extend(matchers)` registers them.
import { toFailWith } from './to-fail-with.ts'
import { toSucceed } from './to-succeed.ts'
import { toSucceedWith } from './to-succeed-with.ts'
import { toSucceedWithin } from './to-succeed-within.ts'
import { toUseFuelBelow } from './to-use-fuel-below.ts'

export const matchers = { toSucceed, toSucceedWith, toSucceedWithin, toFailWith, toUseFuelBelow }

export { toFailWith, toSucceed, toSucceedWith, toSucceedWithin, toUseFuelBelow }
