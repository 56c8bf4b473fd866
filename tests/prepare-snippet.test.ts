// prepareSnippet(): the host-side, REPL-style rewrite of a code string (global let/const/class,
// top-level await with the last expression returned) and its syntax errors.
import { describe, expect, it } from 'vitest'
import { prepareSnippet } from '../src/runtime/agents/prepare-snippet.ts'

describe('prepareSnippet', () => {
  it('makes top-level let, const and class global bindings, leaving nested ones alone', async () => {
    expect(await prepareSnippet('let a = 1; const b = 2\nclass C {}\nfunction f() { let d = 3 }\na + b'))
      .toBe('var a = 1; var b = 2\nvar C = class C {};\nfunction f() { let d = 3 }\na + b')
  })

  it('runs code with top-level await as an async body: names hoisted, last expression returned', async () => {
    expect(await prepareSnippet('const { a, b: [c] } = await f()\nfunction g() {}\nlet z\na + c'))
      .toBe('var a, c, z;function g() {};(async () => {\n({ a, b: [c] } = await f());\n\n(z = undefined);\nreturn (a + c);\n})()')
    expect(await prepareSnippet('for await (const x of xs) {}')).toBe(';(async () => {\nfor await (const x of xs) {}\n})()')
    // `await` inside a nested function is not top-level.
    expect(await prepareSnippet('const f = async () => await 1\nf')).toBe('var f = async () => await 1\nf')
  })

  it('hands code with nothing to rewrite over as it is', async () => {
    expect(await prepareSnippet('[1, 2, 3].map((x) => x * 2)')).toBe('[1, 2, 3].map((x) => x * 2)')
  })

  it('rejects a syntax error with its line and column in the snippet', async () => {
    await expect(prepareSnippet('const a = 1\nconst b = ;')).rejects.toThrow('SyntaxError: Unexpected token (line 2, column 11 of the snippet)')
  })
})
