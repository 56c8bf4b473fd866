// Fails a test that forgot an `await`: a matcher on a task call returns a Promise, and an
// assertion nobody awaits is checked by no one (Vitest does not track custom async matchers: a
// passing one is silent, a failing one surfaces, if at all, as an unhandled rejection after the
// test). Each matcher method is wrapped so the Promise it returns records whether it was awaited
// (`then`/`catch`/`finally` called); when the test ends (the test's own onTestFinished hook, so it
// holds whether or not Vitest re-runs setup files per test file), an assertion never awaited fails
// the test with a message saying to `await` it, pointing at the line that made it, and what it found.
import { chai } from 'vitest'
import { errorMessage } from '../shared/error-message.ts'

interface Tracked {
  label: string
  /** The stack frames where the assertion was made (the user's line first). */
  frames: string
  observed: boolean
  settled: Promise<{ failed: false } | { failed: true; error: unknown }>
}

type ChaiUtils = Parameters<Parameters<typeof chai.use>[0]>[1]
type AssertionThis = object
/** The parts of Vitest's test object used here (`context.onTestFinished` is public API). */
interface TestLike {
  context?: { onTestFinished?: (hook: () => Promise<void>) => void }
}

const trackedByTest = new WeakMap<object, Tracked[]>()

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/** The stack without this package's, Vitest's and Node's own frames. */
function userFrames(stack: string | undefined): string {
  return (stack ?? '').split('\n').slice(1)
    .filter((line) => !/node_modules|node:internal|\/unplugin-capsule\/dist\/|\/src\/vitest\/unawaited\.ts/.test(line))
    .join('\n')
}

function track(test: object, label: string, result: Promise<unknown>, made: Error): PromiseLike<unknown> {
  const entry: Tracked = {
    label,
    frames: userFrames(made.stack),
    observed: false,
    // Also keeps a failure of an assertion nobody awaits from becoming an unhandled rejection.
    settled: result.then(() => ({ failed: false as const }), (error: unknown) => ({ failed: true as const, error })),
  }
  const entries = trackedByTest.get(test)
  if (entries) entries.push(entry)
  else {
    trackedByTest.set(test, [entry])
    ;(test as TestLike).context?.onTestFinished?.(() => checkAwaited(test))
  }
  const observe = () => {
    entry.observed = true
    return result
  }
  return {
    then: (onFulfilled, onRejected) => observe().then(onFulfilled, onRejected),
    catch: (onRejected: (reason: unknown) => unknown) => observe().catch(onRejected),
    finally: (onFinally: () => void) => observe().finally(onFinally),
    [Symbol.toStringTag]: 'Promise',
  } as PromiseLike<unknown>
}

function forgottenError(entry: Tracked, outcome: Awaited<Tracked['settled']>): Error {
  const found = outcome.failed
    ? `When the test ended it had failed:\n\n${errorMessage(outcome.error)}`
    : 'When the test ended it had passed, but nothing waited for it.'
  const error = new Error(
    `${entry.label} was not awaited. A matcher on a task call returns a Promise: write \`await ${entry.label.replace(/\(received\)/, '(…)')}\`, `
    + `or the test ends before the assertion is checked. ${found}`,
  )
  error.name = 'UnawaitedAssertionError'
  error.stack = `${error.name}: ${error.message}\n${entry.frames}`
  return error
}

/** Fails the test with one error per assertion it never awaited. */
async function checkAwaited(test: object): Promise<void> {
  const entries = trackedByTest.get(test) ?? []
  trackedByTest.delete(test) // a retry of the test starts afresh
  const forgotten = entries.filter((entry) => !entry.observed)
  if (forgotten.length === 0) return
  const outcomes = await Promise.all(forgotten.map((entry) => entry.settled))
  const errors = forgotten.map((entry, index) => forgottenError(entry, outcomes[index]!))
  if (errors.length === 1) throw errors[0]!
  throw new AggregateError(errors, `${errors.length} assertions were not awaited:\n\n${errors.map((error) => error.message).join('\n\n')}`)
}

/** Wraps the named matchers on Vitest's `expect` so a forgotten `await` fails its test (call once, in setup). */
export function failUnawaitedMatchers(names: readonly string[]): void {
  chai.use((lib, utils: ChaiUtils) => {
    for (const name of names) {
      utils.overwriteMethod(lib.Assertion.prototype, name, (original: (...args: unknown[]) => unknown) => function (this: AssertionThis, ...args: unknown[]) {
        const made = new Error('made here')
        const result = original.apply(this, args)
        const test = utils.flag(this, 'vitest-test') as object | undefined
        if (!isThenable(result) || test === undefined) return result
        const not = utils.flag(this, 'negate') ? '.not' : ''
        const promise = utils.flag(this, 'promise') ? `.${String(utils.flag(this, 'promise'))}` : ''
        return track(test, `expect(received)${promise}${not}.${name}()`, result, made)
      })
    }
  })
}
