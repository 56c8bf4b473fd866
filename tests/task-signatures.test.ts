// taskSignatures(): tool descriptions from JSDoc and input schemas from TypeScript parameter
// types (plain ones only; everything else falls back to an `args` array), and argumentsFor().
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { discoverTasks } from '../src/compile/discover-tasks.ts'
import { taskSignatures } from '../src/compile/task-signatures.ts'
import { ARGS_INPUT_SCHEMA, argumentsFor } from '../src/runtime/task-signature.ts'

const root = mkdtempSync(join(tmpdir(), 'capsule-signatures-'))

function signatures(body: string) {
  const source = `import { task } from 'unplugin-capsule'\n${body}`
  const file = 'jobs.capsule.ts'
  return taskSignatures(source, file, discoverTasks(source, file, { root }))
}

describe('taskSignatures', () => {
  it('maps plain parameter types and the JSDoc (description and @param texts)', () => {
    const found = signatures(`
/**
 * Finds users.
 *
 * Second paragraph.
 * @param query - text to look for
 * @param limit at most this many
 * @returns the users
 */
export const find = task({ name: 'find' }, async (query: string, limit?: number, tags: string[] = [], sort: 'asc' | 'desc' | 1 = 'asc', exact: boolean | null = null) => [])
`)
    expect(found.get('find')).toEqual({
      description: 'Finds users.\n\nSecond paragraph.',
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', description: 'text to look for' },
          limit: { type: 'number', description: 'at most this many' },
          tags: { type: 'array', items: { type: 'string' } },
          sort: { enum: ['asc', 'desc', 1] },
          exact: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
        },
        required: ['query'],
      },
      args: { from: 'params', names: ['query', 'limit', 'tags', 'sort', 'exact'] },
    })
  })

  it('uses one object-literal parameter (destructured or not) as the whole input', () => {
    const found = signatures(`
// not JSDoc: ignored
export const make = task({ name: 'make' }, ({ title, sizes }: { title: string; sizes?: Array<number>; 'x-y': { deep: readonly boolean[] } }) => title)
`)
    expect(found.get('make')).toEqual({
      inputSchema: {
        type: 'object',
        properties: {
          title: { type: 'string' },
          sizes: { type: 'array', items: { type: 'number' } },
          'x-y': { type: 'object', properties: { deep: { type: 'array', items: { type: 'boolean' } } }, required: ['deep'] },
        },
        required: ['title', 'x-y'],
      },
      args: { from: 'input' },
    })
  })

  it.each([
    ['a named type', '(point: Point) => point'],
    ['no annotation', '(value) => value'],
    ['a rest parameter', '(...values: number[]) => values'],
    ['a generic', '(items: Map<string, number>) => items'],
    ['a tuple', '(pair: [number, number]) => pair'],
    ['unknown', '(value: unknown) => value'],
  ])('falls back to an args array for %s', (_case, fn) => {
    const found = signatures(`/** Does it. */\nexport default task({ name: 'job' }, ${fn})`)
    expect(found.get('default')).toEqual({ description: 'Does it.', inputSchema: ARGS_INPUT_SCHEMA, args: { from: 'args' } })
  })

  it('reads the JSDoc of a task exported later under another name', () => {
    const found = signatures(`/** Counts. */\nconst count = task({ name: 'count' }, () => 1)\nexport { count as total }`)
    expect(found.get('total')).toEqual({ description: 'Counts.', inputSchema: { type: 'object', properties: {} }, args: { from: 'params', names: [] } })
  })
})

describe('argumentsFor', () => {
  const params = { inputSchema: { type: 'object', properties: {}, required: ['a'] }, args: { from: 'params' as const, names: ['a', 'b', 'c'] } }

  it('orders named inputs by parameter, trailing missing ones dropped, middle ones null', () => {
    expect(argumentsFor(params, { a: 1, c: 3 })).toEqual([1, null, 3])
    expect(argumentsFor(params, { a: 1 })).toEqual([1])
    expect(argumentsFor(params, {})).toBe('missing required input "a"')
  })

  it('passes the input itself, or input.args', () => {
    expect(argumentsFor({ inputSchema: {}, args: { from: 'input' } }, { x: 1 })).toEqual([{ x: 1 }])
    expect(argumentsFor(undefined, { args: [1, 'two'] })).toEqual([1, 'two'])
    expect(argumentsFor(undefined, { args: 'nope' })).toMatch(/must be an array/)
  })
})
