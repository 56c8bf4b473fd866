// The envelope matchers, one file each; `expect.extend(matchers)` registers them.
import { toFail } from './to-fail.ts'
import { toFailWith } from './to-fail-with.ts'
import { toHaveLogged } from './to-have-logged.ts'
import { toHaveRequested } from './to-have-requested.ts'
import { toHaveRetried } from './to-have-retried.ts'
import { toSucceed } from './to-succeed.ts'
import { toSucceedWith } from './to-succeed-with.ts'
import { toSucceedWithin } from './to-succeed-within.ts'
import { toUseFuelBelow } from './to-use-fuel-below.ts'
import { toUseMemoryBelow } from './to-use-memory-below.ts'

export const matchers = {
  toSucceed, toSucceedWith, toSucceedWithin, toFail, toFailWith,
  toUseFuelBelow, toUseMemoryBelow, toHaveRequested, toHaveRetried, toHaveLogged,
}

export { toFail, toFailWith, toHaveLogged, toHaveRequested, toHaveRetried, toSucceed, toSucceedWith, toSucceedWithin, toUseFuelBelow, toUseMemoryBelow }
