// Visible environment: listed names only; real env, then .env.local, then .env.

import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveEnv } from '../src/runtime/capabilities/env.ts'

let root: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'capsule-env-'))
  writeFileSync(join(root, '.env'), 'A=from-env\nB=from-env\nC=from-env\nSECRET=not-listed\nQUOTED="two words"\n# comment\nMULTI="line1\nline2"\n')
  writeFileSync(join(root, '.env.local'), 'B=from-local\nC=from-local\n')
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('resolveEnv', () => {
  it('takes the real environment first, then .env.local, then .env', () => {
    expect(resolveEnv(['A', 'B', 'C'], root, { C: 'from-process' })).toEqual({ A: 'from-env', B: 'from-local', C: 'from-process' })
  })

  it('returns only the listed names, in their order, omitting absent ones', () => {
    const env = resolveEnv(['C', 'MISSING', 'A', 'QUOTED', 'MULTI'], root, { PATH: '/bin', OTHER: 'x' })
    expect(Object.keys(env)).toEqual(['C', 'A', 'QUOTED', 'MULTI'])
    expect(env.QUOTED).toBe('two words')
    expect(env.MULTI).toBe('line1\nline2')
    expect(env).not.toHaveProperty('SECRET')
    expect(env).not.toHaveProperty('PATH')
  })

  it('keeps an empty real value over the files', () => {
    expect(resolveEnv(['A'], root, { A: '' })).toEqual({ A: '' })
  })

  it('works without env files and without names', () => {
    const empty = mkdtempSync(join(tmpdir(), 'capsule-env-empty-'))
    try {
      expect(resolveEnv(['A', 'HOME'], empty, { HOME: '/home/u' })).toEqual({ HOME: '/home/u' })
      expect(resolveEnv([], root, { A: '1' })).toEqual({})
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('reads the real process.env by default', () => {
    process.env.CAPSULE_ENV_TEST = 'real'
    try {
      expect(resolveEnv(['CAPSULE_ENV_TEST', 'A'], root)).toEqual({ CAPSULE_ENV_TEST: 'real', A: 'from-env' })
    } finally {
      delete process.env.CAPSULE_ENV_TEST
    }
  })

  it('sees edits to the env files', () => {
    expect(resolveEnv(['B'], root, {})).toEqual({ B: 'from-local' })
    writeFileSync(join(root, '.env.local'), 'B=edited-value\n')
    utimesSync(join(root, '.env.local'), new Date(), new Date(Date.now() + 5_000))
    expect(resolveEnv(['B'], root, {})).toEqual({ B: 'edited-value' })
    rmSync(join(root, '.env.local'))
    expect(resolveEnv(['B'], root, {})).toEqual({ B: 'from-env' })
  })

  it('treats prototype names as plain keys', () => {
    writeFileSync(join(root, '.env'), 'constructor=y\n')
    const processEnv = JSON.parse('{"__proto__":"x"}') as Record<string, string> // an own key
    const env = resolveEnv(['__proto__', 'constructor', 'toString', 'hasOwnProperty'], root, processEnv)
    expect(Object.keys(env)).toEqual(['__proto__', 'constructor'])
    expect(Object.getOwnPropertyDescriptor(env, '__proto__')?.value).toBe('x')
    expect(env.constructor).toBe('y')
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype)
  })
})
