// Type-level tests: compiles fixtures/types/*.ts with the TypeScript compiler against the built
// package's declarations (dist/*.d.mts, through the package's own `exports`). A line marked
// `@ts-expect-error` that compiles, or any other type error, fails the test.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from './helpers/cli.ts'

const FIXTURES = join(REPO_ROOT, 'fixtures/types')

function typeErrors(file: string): string[] {
  const config = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT)
  const program = ts.createProgram([file], { ...options, noEmit: true })
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined
    return `${diagnostic.file?.fileName ?? ''}:${where ? where.line + 1 : 0}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').slice(0, 300)}`
  })
}

describe('public types', () => {
  it.each(readdirSync(FIXTURES))('%s type-checks exactly as its comments say', (name) => {
    expect(typeErrors(join(FIXTURES, name))).toEqual([])
  })
})
