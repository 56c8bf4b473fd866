import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TaskModuleError, discoverTasks } from '../src/compile/discover-tasks.ts'
import { COMPUTE_FUEL, OptionError } from '../src/options/index.ts'

const FILE = '/project/src/jobs.capsule.ts'
let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'capsule-discover-'))
  mkdirSync(join(root, 'data'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

const IMPORT = "import { task } from 'unplugin-capsule'\n"

function discover(source: string, defaults?: Parameters<typeof discoverTasks>[2]['defaults']) {
  return discoverTasks(source, FILE, { root, defaults })
}

/** 1-based line and column of the first `needle` in `source`. */
function pos(source: string, needle: string): { line: number; column: number } {
  const offset = source.indexOf(needle)
  if (offset < 0) throw new Error(`${needle} not in source`)
  const before = source.slice(0, offset).split('\n')
  return { line: before.length, column: before[before.length - 1]!.length + 1 }
}

/** Expects a TaskModuleError; returns it. */
function moduleError(source: string, defaults?: Parameters<typeof discoverTasks>[2]['defaults']): TaskModuleError {
  try {
    discover(source, defaults)
  } catch (error) {
    expect(error).toBeInstanceOf(TaskModuleError)
    const e = error as TaskModuleError
    expect(e.message).toBe(`${FILE}:${e.line}:${e.column}: ${e.reason}`)
    return e
  }
  throw new Error('expected a TaskModuleError')
}

describe('export forms', () => {
  it('export const a = task(...)', () => {
    const tasks = discover(`${IMPORT}export const a = task({ name: 'a' }, () => 1)\n`)
    expect(tasks).toEqual([
      {
        exportName: 'a',
        line: 2,
        column: 18,
        policy: { name: 'a', fuel: COMPUTE_FUEL.MEDIUM, ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [] },
      },
    ])
  })

  it('const a = task(...); export { a } and export { a as b }', () => {
    const tasks = discover(
      `${IMPORT}const a = task({ name: 'one' }, () => 1)\nconst c = task({ name: 'two' }, () => 2)\nexport { a, c as b }\n`,
    )
    expect(tasks.map((t) => [t.exportName, t.policy.name, t.line, t.column])).toEqual([
      ['a', 'one', 2, 11],
      ['b', 'two', 3, 11],
    ])
  })

  it('export default task(...)', () => {
    const tasks = discover(`${IMPORT}export default task({ name: 'main', compute: 'HIGH' }, async () => 'hi')\n`)
    expect(tasks).toHaveLength(1)
    expect(tasks[0]).toMatchObject({ exportName: 'default', line: 2, column: 16, policy: { name: 'main', fuel: COMPUTE_FUEL.HIGH } })
  })

  it('export default of a binding, export { x as default }, and one task under two names', () => {
    const tasks = discover(
      `${IMPORT}const a = task({ name: 'a' }, () => 1)\nconst b = task({ name: 'b' }, () => 1)\nexport default a\nexport { b as default2, b as "b-quoted" }\n`,
    )
    expect(tasks.map((t) => [t.exportName, t.policy.name])).toEqual([
      ['default', 'a'],
      ['default2', 'b'],
      ['b-quoted', 'b'],
    ])
  })

  it('respects a local rename of task', () => {
    const source = "import { task as t } from 'unplugin-capsule'\nexport const main = t({ name: 'main' }, () => 1)\n"
    expect(discover(source).map((t) => t.exportName)).toEqual(['main'])
  })

  it('recognizes a namespace import', () => {
    const source = "import * as capsule from 'unplugin-capsule'\nexport const main = capsule.task({ name: 'main' }, () => 1)\n"
    expect(discover(source).map((t) => t.exportName)).toEqual(['main'])
  })

  it('sees through parentheses and TypeScript wrappers', () => {
    const source = `${IMPORT}export const a = (task({ name: 'a', compute: 'LOW' as const } satisfies object, (x: number) => x) as any)\n`
    expect(discover(source)[0]).toMatchObject({ exportName: 'a', policy: { fuel: COMPUTE_FUEL.LOW } })
  })

  it('several declarators in one export', () => {
    const source = `${IMPORT}export const a = task({ name: 'a' }, () => 1), b = task({ name: 'b' }, () => 2)\n`
    expect(discover(source).map((t) => t.exportName)).toEqual(['a', 'b'])
  })

  it('ignores task() from another module, non-task exports and type-only imports', () => {
    expect(discover("import { task } from './local.ts'\nexport const a = task({ name: 'a' }, () => 1)\n")).toEqual([])
    expect(discover("import type { task } from 'unplugin-capsule'\nexport const a = 1\n")).toEqual([])
    expect(discover(`${IMPORT}export const helper = (x: number) => x\nexport function f() {}\n`)).toEqual([])
    expect(discover('export const x = 1\n')).toEqual([])
  })

  it('validates non-exported tasks but does not return them', () => {
    expect(discover(`${IMPORT}const inner = task({ name: 'inner' }, () => 1)\nexport const x = 1\n`)).toEqual([])
    expect(moduleError(`${IMPORT}const inner = task({ name: 'inner', ram: 'lots' }, () => 1)\n`).option).toBe('ram')
  })

  it('works for JavaScript modules and positions after non-ASCII text and CRLF', () => {
    const source = "// héllo 😀\r\nimport { task } from 'unplugin-capsule'\r\nexport const a = task({ name: 'a', timeout: x }, () => 1)\r\n"
    const error = (() => {
      try {
        discoverTasks(source, 'a.capsule.mjs', { root })
      } catch (e) {
        return e as TaskModuleError
      }
      throw new Error('expected an error')
    })()
    expect([error.line, error.column]).toEqual([3, 45])
    expect(error.message.startsWith('a.capsule.mjs:3:45: ')).toBe(true)
  })
})

describe('literal values', () => {
  it('accepts every literal form', () => {
    const source = `${IMPORT}export const a = task({
  name: \`a\`,
  'compute': 1_000_000,
  ['ram']: '64MiB',
  timeout: +1_500,
  maxRetries: 0x2,
  allowedFiles: ['data', { path: 'data', "mode": 'rw' }],
  allowedHosts: ['API.x.com', \`*.y.com\`],
  envVariables: [],
}, () => 1)
`
    expect(discover(source)[0]!.policy).toEqual({
      name: 'a',
      fuel: 1_000_000,
      ram: 64 * 1024 ** 2,
      timeout: 1500,
      maxRetries: 2,
      files: [{ path: 'data', mode: 'rw' }],
      hosts: ['api.x.com', '*.y.com'],
      env: [],
    })
  })

  it('reports `timeout: someVariable` at the value', () => {
    const source = `${IMPORT}const someVariable = '5s'\nexport const a = task({\n  name: 'a',\n  timeout: someVariable,\n}, () => 1)\n`
    const error = moduleError(source)
    expect([error.line, error.column, error.option]).toEqual([5, 12, 'timeout'])
    expect(error.reason).toMatch(/^option "timeout" must be a literal value \(found the identifier `someVariable`\); accepted: a positive number of milliseconds/)
  })

  it.each([
    ['ram: 64 * 1024', 'ram', 'the expression `64 * 1024`'],
    ['ram: getRam()', 'ram', 'the call `getRam()`'],
    ['timeout: `${n}s`', 'timeout', 'a template literal with ${} substitutions'],
    ['allowedHosts: [...hosts]', 'allowedHosts', 'the spread `...hosts`'],
    ['allowedFiles: [{ path: dir }]', 'allowedFiles', 'the identifier `dir`'],
    ['allowedFiles: [{ [k]: "data" }]', 'allowedFiles', 'the expression `[k]: "data"`'],
    ['timeout', 'timeout', 'the identifier `timeout`'],
    ['envVariables: [/A/]', 'envVariables', 'the regular expression `/A/`'],
    ['compute: undefined', 'compute', 'the identifier `undefined`'],
  ])('rejects %s', (property, option, found) => {
    const error = moduleError(`${IMPORT}export const a = task({ name: 'a', ${property} }, () => 1)\n`)
    expect(error.option).toBe(option)
    expect(error.line).toBe(2)
    expect(error.reason).toContain(`option "${option}" must be a literal value (found ${found}`)
    expect(error.reason).toContain('; accepted: ')
  })

  it('reports a negative number as an invalid value, not an expression', () => {
    const error = moduleError(`${IMPORT}export const a = task({ name: 'a', maxRetries: -1 }, () => 1)\n`)
    expect(error.option).toBe('maxRetries')
    expect(error.column).toBe(48)
    expect(error.reason).toBe('option "maxRetries": -1 is not an integer from 0 to 10; accepted: an integer from 0 to 10 (default 0)')
  })

  it('rejects a spread, a computed key and a method in the options', () => {
    expect(moduleError(`${IMPORT}export const a = task({ name: 'a', ...base }, () => 1)\n`).reason).toContain('cannot use a spread (found the spread `...base`)')
    expect(moduleError(`${IMPORT}export const a = task({ name: 'a', [key]: 1 }, () => 1)\n`).reason).toContain('cannot have a computed key (found `key`)')
    expect(moduleError(`${IMPORT}export const a = task({ name: 'a', timeout() { return 1 } }, () => 1)\n`).reason).toContain('option "timeout" must be a literal value (found a method)')
  })

  it('rejects options that are not an object literal, and a missing function', () => {
    const notObject = moduleError(`${IMPORT}const opts = { name: 'a' }\nexport const a = task(opts, () => 1)\n`)
    expect([notObject.line, notObject.column]).toEqual([3, 23])
    expect(notObject.reason).toContain('the options of task() must be an object literal (found the identifier `opts`)')
    expect(moduleError(`${IMPORT}export const a = task()\n`).reason).toContain('task() needs its options as the first argument')
    expect(moduleError(`${IMPORT}export const a = task({ name: 'a' })\n`).reason).toContain('needs the task function as its second argument')
  })
})

describe('option errors are positioned', () => {
  const at = (source: string) => {
    const error = moduleError(source)
    return { line: error.line, column: error.column, option: error.option, reason: error.reason, cause: error.cause }
  }

  it("ram: 'lots'", () => {
    const error = at(`${IMPORT}export const a = task({\n  name: 'a',\n  ram: 'lots',\n}, () => 1)\n`)
    expect(error).toMatchObject({ line: 4, column: 8, option: 'ram' })
    expect(error.reason).toMatch(/^option "ram": 'lots' is not a valid size; accepted: a byte count or a string like '512KB'/)
    expect(error.cause).toBeInstanceOf(OptionError)
  })

  it("compute: 'FAST'", () => {
    const source = `${IMPORT}export default task({ name: 'a', compute: 'FAST' }, () => 1)\n`
    const error = at(source)
    expect(error).toMatchObject({ ...pos(source, "'FAST'"), option: 'compute' })
    expect(error.reason).toContain("'FAST' is not a compute level; accepted: 'LOW'")
  })

  it("timeout: '10 parsecs'", () => {
    const error = at(`${IMPORT}export const a = task({ name: 'a', timeout: '10 parsecs' }, () => 1)\n`)
    expect(error).toMatchObject({ line: 2, column: 45, option: 'timeout' })
    expect(error.reason).toContain("option \"timeout\": '10 parsecs' is not a valid duration; accepted: ")
  })

  it('with several bad options, the first one written', () => {
    const source = `${IMPORT}export const a = task({ name: 'a', timeout: '5 sec', ram: 'lots' }, () => 1)\n`
    expect(at(source)).toMatchObject({ ...pos(source, "'5 sec'"), option: 'timeout' })
    const swapped = `${IMPORT}export const a = task({ ram: 'lots', timeout: '5 sec', name: '1a' }, () => 1)\n`
    expect(at(swapped)).toMatchObject({ ...pos(swapped, "'lots'"), option: 'ram' })
  })

  it('an entry inside a list', () => {
    const error = at(`${IMPORT}export const a = task({\n  name: 'a',\n  allowedHosts: ['ok.com',\n    'https://x.com'],\n}, () => 1)\n`)
    expect(error).toMatchObject({ line: 5, column: 5, option: 'allowedHosts' })
    expect(error.reason).toContain("'https://x.com' has a scheme")
  })

  it('allowedFiles against the real root', () => {
    const etc = `${IMPORT}export const a = task({ name: 'a', allowedFiles: ['data', '/etc'] }, () => 1)\n`
    expect(at(etc)).toMatchObject({ ...pos(etc, "'/etc'"), option: 'allowedFiles' })
    const mode = `${IMPORT}export const a = task({ name: 'a', allowedFiles: [{ path: 'data', mode: 'x' }] }, () => 1)\n`
    expect(at(mode)).toMatchObject({ ...pos(mode, "'x'"), option: 'allowedFiles' })
    expect(at(`${IMPORT}export const a = task({ name: 'a', allowedFiles: ['missing'] }, () => 1)\n`).reason).toContain('does not exist under the project root')
  })

  it('an unknown option, at its value', () => {
    const error = at(`${IMPORT}export const a = task({ name: 'a', timout: someVariable }, () => 1)\n`)
    expect(error).toMatchObject({ line: 2, column: 44, option: 'timout' })
    expect(error.reason).toMatch(/^option "timout": not a known option \(did you mean "timeout"\?\); accepted: the options name, compute, ram, timeout/)
  })

  it('a missing name, at the call', () => {
    const error = at(`${IMPORT}export const a = task({ compute: 'LOW' }, () => 1)\n`)
    expect(error).toMatchObject({ line: 2, column: 18, option: 'name' })
    expect(error.reason).toContain('option "name": missing, and it is required')
  })

  it('an invalid name', () => {
    expect(at(`${IMPORT}export const a = task({ name: 'has space' }, () => 1)\n`)).toMatchObject({ column: 31, option: 'name' })
  })

  it('duplicate names, at the second one', () => {
    const error = at(`${IMPORT}export const a = task({ name: 'same' }, () => 1)\nexport const b = task({ name: 'same' }, () => 2)\n`)
    expect(error).toMatchObject({ line: 3, column: 31, option: 'name' })
    expect(error.reason).toContain("'same' is already the name of the task at 2:18")
  })

  it('an option given twice, at the second one', () => {
    const source = `${IMPORT}export const a = task({ name: 'a', ram: '1MB', ram: '2MB' }, () => 1)\n`
    const error = at(source)
    expect(error).toMatchObject({ ...pos(source, "ram: '2MB'"), option: 'ram' })
    expect(error.reason).toContain('option "ram" is given twice')
  })
})

describe('defaults', () => {
  it('merge under the task options', () => {
    const source = `${IMPORT}export const a = task({ name: 'a', ram: '1MB' }, () => 1)\nexport const b = task({ name: 'b', maxRetries: 0 }, () => 1)\n`
    const [a, b] = discover(source, { ram: '64MB', maxRetries: 3, allowedHosts: ['x.com'] })
    expect(a!.policy).toMatchObject({ ram: 1024 ** 2, maxRetries: 3, hosts: ['x.com'] })
    expect(b!.policy).toMatchObject({ ram: 64 * 1024 ** 2, maxRetries: 0, hosts: ['x.com'] })
  })
  it('invalid defaults are reported at the call', () => {
    // @ts-expect-error a bad value on purpose: the build-time check is what is tested
    const error = moduleError(`${IMPORT}export const a = task({ name: 'a' }, () => 1)\n`, { timeout: 'soon' })
    expect(error).toMatchObject({ line: 2, column: 18, option: 'timeout' })
    expect(error.reason).toMatch(/^option "timeout" \(in defaults\): 'soon' is not a valid duration/)
  })
})

describe('syntax errors', () => {
  it('are reported with a position', () => {
    const error = moduleError(`${IMPORT}export const a = task({ name: 'a' }, () => 1\nlet = \n`)
    expect(error.line).toBeGreaterThanOrEqual(2)
    expect(error.reason).toMatch(/^syntax error: /)
  })
})
