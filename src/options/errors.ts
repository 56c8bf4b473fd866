// OptionError: the one error type of option parsing. Its message names the option, shows the
// bad value and lists the accepted forms, e.g.
//   option "ram": 'lots' is not a valid size; accepted: a byte count or a string like '64MB'

/** Where an option value came from: the task's own options or the project defaults. */
export type OptionScope = 'task' | 'defaults'

export interface OptionErrorInit {
  /** The option's name (`ram`, `allowedHosts`, ...), or `options` for the whole object. */
  option: string
  /** The offending value (for list options: the offending entry). */
  value: unknown
  /** What is wrong, e.g. `'lots' is not a valid size`. */
  reason: string
  /** The accepted forms of the option. */
  accepted: string
  /** Position of `value` inside the option's value: `[2]`, `[0, 'mode']`. Empty = the whole value. */
  path?: (string | number)[]
  scope?: OptionScope
}

export class OptionError extends Error {
  override name = 'OptionError'
  readonly option: string
  readonly value: unknown
  readonly accepted: string
  readonly reason: string
  readonly path: (string | number)[]
  readonly scope: OptionScope

  constructor(init: OptionErrorInit) {
    const scope = init.scope ?? 'task'
    const where = scope === 'defaults' ? ' (in defaults)' : ''
    super(`option "${init.option}"${where}: ${init.reason}; accepted: ${init.accepted}`)
    this.option = init.option
    this.value = init.value
    this.accepted = init.accepted
    this.reason = init.reason
    this.path = init.path ?? []
    this.scope = scope
  }

  /** The same error, reported as coming from the project defaults. */
  inDefaults(): OptionError {
    return new OptionError({ ...this.init(), scope: 'defaults' })
  }

  /** The same error, one level deeper: `path` gets `segment` prepended. */
  at(segment: string | number): OptionError {
    return new OptionError({ ...this.init(), path: [segment, ...this.path] })
  }

  private init(): OptionErrorInit {
    const { option, value, reason, accepted, path, scope } = this
    return { option, value, reason, accepted, path, scope }
  }
}

/** Shows a value in an error message: strings quoted, others as JSON-ish text, never throws. */
export function show(value: unknown): string {
  if (typeof value === 'string') return quote(value)
  if (value === undefined) return 'undefined'
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'symbol') return value.toString()
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  try {
    const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
    if (json === undefined) return String(value)
    return json.length > 120 ? `${json.slice(0, 117)}...` : json
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** `'text'` with JSON escapes, single-quoted. */
export function quote(text: string): string {
  const shown = text.length > 100 ? `${text.slice(0, 97)}...` : text
  const json = JSON.stringify(shown).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")
  return `'${json}'`
}

/** A short description of a value's type: `a string`, `an array`, `null`, ... */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (value === undefined) return 'undefined'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

/** True for `{...}` objects (not arrays, not null, not class instances like Date). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}
