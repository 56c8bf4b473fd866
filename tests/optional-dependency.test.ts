// A missing optional dependency is named when the compiler requires it (esbuild, which is
// CommonJS, is required, not imported: runtime/optional-dependency.ts reads both errors).
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { missingDependencyError, missingPackage } from '../src/runtime/optional-dependency.ts'

const nowhere = mkdtempSync(join(tmpdir(), 'capsule-optional-'))
afterAll(() => rmSync(nowhere, { recursive: true, force: true }))

async function failure(load: () => unknown): Promise<unknown> {
  try {
    await load()
  } catch (error) {
    return error
  }
  throw new Error('it loaded')
}

describe('a missing optional dependency', () => {
  it('is named when a require cannot find it', async () => {
    const error = await failure(() => createRequire(join(nowhere, 'x.js'))('esbuild'))
    expect(missingPackage(error)).toBe('esbuild')
    expect(missingDependencyError('compiling a task module', error)?.message).toMatch(/compiling a task module needs esbuild, an optional dependency/)
  })

  it('is not claimed for a package that is not one of ours, or a relative module', async () => {
    expect(missingPackage(await failure(() => createRequire(join(nowhere, 'x.js'))('left-pad')))).toBeUndefined()
    expect(missingPackage(await failure(() => createRequire(join(nowhere, 'x.js'))('./nothing.js')))).toBeUndefined()
  })
})
