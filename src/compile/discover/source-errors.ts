// Locating problems in a task module's source: offsets → 1-based line:column, a short quote of
// the offending code, and the TaskModuleError thrown at that position.
import { TaskModuleError } from '../task-module-error.ts'
import type { AstNode } from './ast.ts'

export class SourceErrors {
  private readonly lineStarts: number[] = [0]

  constructor(readonly source: string, readonly file: string) {
    const breaks = /\r\n?|\n|\u2028|\u2029/g
    for (let match = breaks.exec(source); match; match = breaks.exec(source)) this.lineStarts.push(match.index + match[0].length)
  }

  /** Offset → 1-based line and column (column in UTF-16 code units). */
  position(offset: number): { line: number; column: number } {
    const starts = this.lineStarts
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((starts[mid] ?? Infinity) <= offset) low = mid
      else high = mid - 1
    }
    return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 }
  }

  /** Throws a TaskModuleError at a node or offset. */
  fail(at: number | AstNode, reason: string, option?: string, cause?: unknown): never {
    const { line, column } = this.position(typeof at === 'number' ? at : at.start)
    throw TaskModuleError.at(this.file, line, column, reason, option, cause)
  }

  /** The node's source text, on one line and shortened, in backticks. */
  snippet(node: AstNode): string {
    const text = this.source.slice(node.start, node.end).replace(/\s+/g, ' ')
    return `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``
  }

  /** What a node is, for "found ..." in messages. */
  describe(node: AstNode): string {
    switch (node.type) {
      case 'Identifier': return `the identifier ${this.snippet(node)}`
      case 'CallExpression': case 'NewExpression': return `the call ${this.snippet(node)}`
      case 'TemplateLiteral': return `a template literal with \${} substitutions ${this.snippet(node)}`
      case 'SpreadElement': return `the spread ${this.snippet(node)}`
      case 'ArrowFunctionExpression': case 'FunctionExpression': return 'a function'
      case 'Literal': return `the regular expression ${this.snippet(node)}`
      default: return `the expression ${this.snippet(node)}`
    }
  }
}
