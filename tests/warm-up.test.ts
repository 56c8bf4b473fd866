// A worker new to an engine runs it once on the package's own snippet module (calling no task)
// while the module it will run is still being built (runtime/warm-up-snapshot.ts): only for the
// engine that module was built for, and never one whose files do not match its manifest.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { warmUpModuleFor } from '../src/runtime/warm-up-snapshot.ts'
import { REPO_ROOT } from './helpers/cli.ts'
import { makeProject } from './helpers/project.ts'

const snippetManifest = join(REPO_ROOT, 'dist', 'snippet', 'capsule.manifest.json')
const manifest = JSON.parse(readFileSync(snippetManifest, 'utf8')) as { engine: { key: string }; modules: { artifact: { dir: string } }[] }

describe('the warm-up module', () => {
  it('is the snippet module, for the engine it was built on only', () => {
    const moduleDir = warmUpModuleFor(manifest.engine.key, snippetManifest)
    expect(moduleDir).toBe(join(REPO_ROOT, 'dist', 'snippet', manifest.modules[0]!.artifact.dir))
    expect(existsSync(join(moduleDir!, 'task.data'))).toBe(true)
    expect(warmUpModuleFor('0'.repeat(64), snippetManifest)).toBeUndefined()
  })

  it('is not used when its files do not match its manifest', () => {
    const copy = mkdtempSync(join(tmpdir(), 'capsule-warm-up-'))
    try {
      cpSync(join(REPO_ROOT, 'dist', 'snippet'), copy, { recursive: true })
      const taskData = join(copy, manifest.modules[0]!.artifact.dir, 'task.data')
      const bytes = readFileSync(taskData)
      bytes[bytes.length >> 1]! ^= 0xff
      writeFileSync(taskData, bytes)
      expect(warmUpModuleFor(manifest.engine.key, join(copy, 'capsule.manifest.json'))).toBeUndefined()
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })

  it('leaves the first call of a freshly compiled module its own fresh sandbox', async () => {
    const root = makeProject('warm-up', { 'first.capsule.ts': `import { task } from 'unplugin-capsule'\nlet calls = 0\nexport const main = task({ name: 'main' }, () => ++calls + ':${Date.now()}')\n` })
    const runtime = createRuntime({ cwd: root, poolSize: 1 })
    try {
      // Compiled here: the worker is warmed up on the snippet module while this module is built.
      const first = await runtime.run({ file: 'first.capsule.ts' })
      expect(first).toMatchObject({ success: true, result: expect.stringMatching(/^1:/) })
      expect(runtime.sandboxStats()).toEqual({ fresh: 1, reset: 0 })
      expect(await runtime.run({ file: 'first.capsule.ts' })).toMatchObject({ success: true, result: expect.stringMatching(/^1:/) })
    } finally {
      await runtime.close()
    }
  }, 300_000)
})
