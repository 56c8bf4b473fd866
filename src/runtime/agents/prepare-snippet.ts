// Turns an agent's code string into the script the snippet sandbox evaluates, REPL-style:
// - top-level `let`/`const`/`class` become global bindings (`var`), so a session keeps them
//   from one run to the next (indirect eval would scope them to that one evaluation);
// - top-level `await` is allowed: the code then runs as the body of an async function whose
//   declared names are hoisted to globals and whose last expression statement is returned.
// A parse error becomes `SyntaxError: … (line L, column C of the snippet)`. Runs on the host
// (acorn, loaded lazily): the sandbox only ever evaluates the rewritten script, its snapshot stays
// small, and the parse is never charged to the caller's fuel. Only the caller's own code string
// goes in; the result still runs inside the sandbox.
import type { Node, Pattern, Program } from 'acorn'
import type { Envelope } from '../../types.ts'
import { failureEnvelope } from '../envelope.ts'
import { SNIPPET_TASK } from './snippet-artifact.ts'

type AnyNode = Node & Record<string, unknown>

interface Edit { start: number; end: number; text: string }

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'])

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
}

/** Whether `node` awaits outside of any nested function (top-level await). */
function awaitsAtTopLevel(node: AnyNode): boolean {
  if (node.type === 'AwaitExpression' || (node.type === 'ForOfStatement' && node.await === true)) return true
  if (FUNCTION_TYPES.has(node.type)) return false
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value]
    for (const child of children) if (isNode(child) && awaitsAtTopLevel(child)) return true
  }
  return false
}

/** The identifiers a declaration pattern binds. */
function boundNames(pattern: Pattern, into: string[]): string[] {
  switch (pattern.type) {
    case 'Identifier': into.push(pattern.name); break
    case 'ObjectPattern':
      for (const property of pattern.properties) boundNames(property.type === 'RestElement' ? property.argument : property.value, into)
      break
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) boundNames(element, into)
      break
    case 'RestElement': boundNames(pattern.argument, into); break
    case 'AssignmentPattern': boundNames(pattern.left, into); break
    default: break
  }
  return into
}

function applyEdits(source: string, edits: Edit[]): string {
  let out = source
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end)
  return out
}

function syntaxErrorMessage(message: string, line: number | undefined, column: number | undefined): string {
  const where = line === undefined ? '' : column === undefined ? ` (line ${line} of the snippet)` : ` (line ${line}, column ${column} of the snippet)`
  return `SyntaxError: ${message}${where}`
}

type Parse = typeof import('acorn').parse

/** A syntax error of the snippet, with the message the envelope shows. */
export class SnippetSyntaxError extends Error {}

function parseSnippet(parse: Parse, code: string): Program {
  try {
    return parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true, allowHashBang: true, locations: false })
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    const loc = (error as SyntaxError & { loc?: { line: number; column: number } }).loc
    throw new SnippetSyntaxError(syntaxErrorMessage(error.message.replace(/ \(\d+:\d+\)$/, ''), loc?.line, loc === undefined ? undefined : loc.column + 1))
  }
}

/** A script with global declarations (no top-level await): its completion value is the answer. */
function asGlobalScript(code: string, program: Program): string {
  const edits: Edit[] = []
  for (const statement of program.body) {
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
      edits.push({ start: statement.start, end: statement.start + statement.kind.length, text: 'var' })
    } else if (statement.type === 'ClassDeclaration') {
      edits.push({ start: statement.start, end: statement.start, text: `var ${statement.id.name} = ` }, { start: statement.end, end: statement.end, text: ';' })
    }
  }
  return applyEdits(code, edits)
}

/** An async function body: declared names hoisted to globals, the last expression returned. */
function asAsyncBody(code: string, program: Program): string {
  const names: string[] = []
  const hoisted: string[] = []
  const edits: Edit[] = []
  const text = (node: Node) => code.slice(node.start, node.end)
  program.body.forEach((statement, index) => {
    if (statement.type === 'FunctionDeclaration') {
      hoisted.push(text(statement))
      edits.push({ start: statement.start, end: statement.end, text: '' })
    } else if (statement.type === 'ClassDeclaration') {
      names.push(statement.id.name)
      edits.push({ start: statement.start, end: statement.end, text: `(${statement.id.name} = ${text(statement)});` })
    } else if (statement.type === 'VariableDeclaration') {
      const assignments = statement.declarations.flatMap((declarator) => {
        boundNames(declarator.id, names)
        if (declarator.init) return [`(${text(declarator.id)} = ${text(declarator.init)})`]
        return statement.kind === 'var' ? [] : boundNames(declarator.id, []).map((name) => `(${name} = undefined)`)
      })
      edits.push({ start: statement.start, end: statement.end, text: `${assignments.join(', ') || 'void 0'};` })
    } else if (statement.type === 'ExpressionStatement' && index === program.body.length - 1) {
      edits.push({ start: statement.start, end: statement.end, text: `return (${text(statement.expression)});` })
    }
  })
  const declared = [...new Set(names)]
  const prelude = `${declared.length > 0 ? `var ${declared.join(', ')};` : ''}${hoisted.join('\n')}`
  return `${prelude};(async () => {\n${applyEdits(code, edits)}\n})()`
}

let acorn: Promise<Parse> | undefined

/** Words without which there is nothing to rewrite (then the parser is not even loaded). */
const REWRITTEN = /\b(?:let|const|class|await)\b/

/** The script to evaluate with indirect eval. Rejects with SnippetSyntaxError when `code` does not parse. */
export async function prepareSnippet(code: string): Promise<string> {
  // The sandbox's own parser still reports this code's syntax errors, with line and column.
  if (!REWRITTEN.test(code)) return code
  acorn ??= import('acorn').then((module) => module.parse)
  const program = parseSnippet(await acorn, code)
  const topLevelAwait = program.body.some((statement) => awaitsAtTopLevel(statement as AnyNode))
  return topLevelAwait ? asAsyncBody(code, program) : asGlobalScript(code, program)
}

/**
 * The script to evaluate, or the `task_error` envelope of a snippet that does not parse: such a
 * snippet never reaches a sandbox (a session's state stays untouched).
 */
export async function snippetOrRefusal(code: string, startedAt: number): Promise<{ script: string } | { refusal: Envelope }> {
  try {
    return { script: await prepareSnippet(code) }
  } catch (error) {
    if (!(error instanceof SnippetSyntaxError)) throw error
    return { refusal: failureEnvelope(SNIPPET_TASK, startedAt, { error_type: 'task_error', message: error.message }) }
  }
}
