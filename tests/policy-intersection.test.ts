// A sub-task's policy can only narrow its caller's: files, hosts, env, time.
import { describe, expect, it } from 'vitest'
import { intersectFiles, intersectHosts, intersectPolicy } from '../src/runtime/policy-intersection.ts'
import type { ResolvedPolicy } from '../src/options/policy.ts'

const base: ResolvedPolicy = { name: 't', fuel: 1_000, ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [] }

describe('intersectFiles', () => {
  it.each([
    [[{ path: 'data', mode: 'rw' }], [{ path: 'data', mode: 'ro' }], [{ path: 'data', mode: 'ro' }]],
    [[{ path: 'data/in', mode: 'rw' }], [{ path: 'data', mode: 'rw' }], [{ path: 'data/in', mode: 'rw' }]],
    [[{ path: 'data', mode: 'rw' }], [{ path: 'data/in', mode: 'rw' }], [{ path: 'data/in', mode: 'rw' }]],
    [[{ path: 'data', mode: 'rw' }], [{ path: 'other', mode: 'rw' }], []],
    [[{ path: 'data', mode: 'rw' }], [], []],
    [[{ path: 'database', mode: 'rw' }], [{ path: 'data', mode: 'rw' }], []],
    [[{ path: 'x', mode: 'rw' }], [{ path: '.', mode: 'ro' }], [{ path: 'x', mode: 'ro' }]],
  ] as const)('%j ∩ %j = %j', (callee, caller, expected) => {
    expect(intersectFiles([...callee], [...caller])).toEqual(expected)
  })
})

describe('intersectHosts', () => {
  it.each([
    [['*'], ['api.x.com'], ['api.x.com']],
    [['api.x.com'], ['*'], ['api.x.com']],
    [['*.x.com'], ['api.x.com'], ['api.x.com']],
    [['api.x.com'], ['*.x.com'], ['api.x.com']],
    [['a.b.x.com'], ['*.x.com'], []],
    [['x.com'], ['*.x.com'], []],
    [['*'], [], []],
    [['api.x.com:443'], ['api.x.com'], ['api.x.com:443']],
    [['api.x.com'], ['api.x.com:443'], ['api.x.com:443']],
    [['api.x.com:80'], ['api.x.com:443'], []],
  ])('%j ∩ %j = %j', (callee, caller, expected) => {
    expect(intersectHosts(callee, caller)).toEqual(expected)
  })
})

describe('intersectPolicy', () => {
  it('narrows env and caps time, fuel and memory by what the caller has', () => {
    const callee = { ...base, name: 'sub', fuel: 5_000, ram: 64, timeout: 10_000, env: ['A', 'B'], maxRetries: 2 }
    const caller = { ...base, fuel: 3_000, ram: 32, timeout: 1_000, env: ['A'] }
    expect(intersectPolicy(callee, caller, { remainingMs: 400, remainingFuel: 2_000 })).toEqual({
      ...base, name: 'sub', fuel: 2_000, ram: 32, timeout: 400, env: ['A'], maxRetries: 2,
    })
  })
})
