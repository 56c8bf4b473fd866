// A problem in a task module found at build time, positioned at its file:line:column (bundlers
// and the CLI show it there). In its own file, so the plugin and the CLI can recognise it with
// `instanceof` without loading the parser (oxc) that discovers tasks.

export class TaskModuleError extends Error {
  override name = 'TaskModuleError'
  readonly file: string
  readonly line: number
  readonly column: number
  /** The option at fault, when there is one. */
  readonly option?: string
  /** The message without its `file:line:column: ` prefix. */
  readonly reason: string

  /** `message` is the full text, `${file}:${line}:${column}: reason` (see `TaskModuleError.at`). */
  constructor(message: string, file: string, line: number, column: number, option?: string, options?: ErrorOptions) {
    super(message, options)
    this.file = file
    this.line = line
    this.column = column
    if (option !== undefined) this.option = option
    const prefix = `${file}:${line}:${column}: `
    this.reason = message.startsWith(prefix) ? message.slice(prefix.length) : message
  }

  static at(file: string, line: number, column: number, reason: string, option?: string, cause?: unknown): TaskModuleError {
    return new TaskModuleError(`${file}:${line}:${column}: ${reason}`, file, line, column, option, cause === undefined ? undefined : { cause })
  }
}
