// How the guest describes what a task threw: the message keeps the error's name, as
// String(error) gives it ('TypeError: cannot handle 5'), and an Error's raw SpiderMonkey stack
// ('fn@source.js:12:9' lines) goes along for the host to map back to the task module's sources.

export interface ErrorReport {
  message: string
  stack?: string
}

/** At most this much of a stack crosses to the host. */
const MAX_STACK = 16_384

function plainMessage(error: unknown): string {
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}

export function reportError(error: unknown): ErrorReport {
  if (!(error instanceof Error)) return { message: plainMessage(error) }
  let message: string
  try {
    message = String(error)
  } catch {
    message = `${error.name}: ${error.message}`
  }
  const stack = typeof error.stack === 'string' && error.stack !== '' ? error.stack.slice(0, MAX_STACK) : undefined
  return stack === undefined ? { message } : { message, stack }
}
