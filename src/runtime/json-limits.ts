// Limits on JSON that comes out of a sandbox (a result, a sub-task's arguments): how big and
// how deeply nested it may be. Parsing is iterative in V8, but serializing, structured-cloning
// (postMessage) and printing are recursive: a value nested a few thousand deep overflows the
// host's stack there. The depth is measured on the text, in one pass, before anything parses it.

/** Bytes of JSON a guest may hand back (the contract's output cap). */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024
/** Nesting levels of arrays and objects a guest's JSON may have. */
export const MAX_JSON_DEPTH = 1_000

const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/** The deepest nesting of `json` (strings skipped), stopping early once it passes `limit`. */
export function jsonDepth(json: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let index = 0; index < json.length; index++) {
    const code = json.charCodeAt(index)
    if (inString) {
      if (code === BACKSLASH) index++
      else if (code === QUOTE) inString = false
      continue
    }
    if (code === QUOTE) inString = true
    else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth++
      if (depth > deepest) {
        deepest = depth
        if (deepest > limit) return deepest
      }
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) depth--
  }
  return deepest
}

/** Why guest JSON is refused (too big or too deep), or null when it is within the limits. */
export function jsonLimitProblem(json: string, what: string): string | null {
  if (json.length > MAX_OUTPUT_BYTES || Buffer.byteLength(json) > MAX_OUTPUT_BYTES) {
    return `${what} exceeds the output cap of ${MAX_OUTPUT_BYTES} bytes`
  }
  if (jsonDepth(json, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    return `${what} is nested deeper than ${MAX_JSON_DEPTH} levels`
  }
  return null
}
