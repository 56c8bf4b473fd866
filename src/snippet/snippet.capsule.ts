// The prebuilt snippet sandbox behind runJavaScript() and sessions: one task that evaluates a
// code string in the sandbox's global scope with indirect eval (never the module's own scope),
// awaits a returned promise and answers the completion value. The host has already rewritten
// the string REPL-style (runtime/agents/prepare-snippet.ts); a parse error the engine still finds
// becomes `SyntaxError: … (line L, column C of the snippet)`. A snippet cannot `import`, so the
// same policed `fs` and `path` a task gets from node:fs / node:path are globals here. Compiled
// into dist/snippet/ by `npm run build`; the policy written there is a placeholder: the host
// runs this task under the caller's own validated limits.
import { task } from 'unplugin-capsule'
import fs from 'node:fs'
import path from 'node:path'

for (const [name, value] of Object.entries({ fs, path })) {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false })
}

type Located = SyntaxError & { lineNumber?: number; columnNumber?: number }

/** A parse error of the evaluated script, as opposed to one its code threw while running (JSON.parse). */
function isParseError(error: unknown): error is Located {
  return error instanceof SyntaxError && !/> eval/.test(String(error.stack ?? ''))
}

/** The message the envelope shows: `Name: message`, except for errors the host classifies by their name. */
function rethrown(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const { name, code } = error as Error & { code?: unknown }
  if (name === 'PermissionDenied' || code === 'EACCES' || name === 'ProcessExit') return error
  return String(error)
}

function evaluate(code: string): unknown {
  try {
    return (0, eval)(code)
  } catch (error) {
    if (!isParseError(error)) throw error
    const line = error.lineNumber
    const where = typeof line !== 'number' ? '' : typeof error.columnNumber === 'number' ? ` (line ${line}, column ${error.columnNumber} of the snippet)` : ` (line ${line} of the snippet)`
    throw `SyntaxError: ${error.message}${where}`
  }
}

export const snippet = task({ name: 'snippet' }, async (code: string) => {
  if (typeof code !== 'string') throw new TypeError('the snippet must be a string of JavaScript')
  try {
    return await evaluate(code)
  } catch (error) {
    throw rethrown(error)
  }
})
