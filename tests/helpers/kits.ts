// The repository's compile cache with this toolchain's snapshot kit in it, and the newest
// complete kit of a kits folder (kit.json comes last: a kit without it is still being written).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { KIT_FILES } from '../../src/compile/snapshot/kit-files.ts'
import { REPO_ROOT } from './cli.ts'

export const REPO_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'capsule')

/** Runs a fixture once, so the repository's cache holds this toolchain's kit and engine. */
export async function warmRepoCache(): Promise<void> {
  const warm = createRuntime({ cwd: REPO_ROOT })
  try {
    expect((await warm.run({ file: 'fixtures/basics.capsule.ts', task: 'add', args: [1, 2] })).success).toBe(true)
  } finally {
    await warm.close()
  }
}

/** The folder of the most recently completed kit under `kits`. */
export function newestKit(kits: string): string {
  const complete = readdirSync(kits).filter((name) => existsSync(join(kits, name, KIT_FILES.meta)))
  const newest = complete.sort((a, b) => statSync(join(kits, b, KIT_FILES.meta)).mtimeMs - statSync(join(kits, a, KIT_FILES.meta)).mtimeMs)[0]
  if (!newest) throw new Error(`no complete kit under ${kits}`)
  return join(kits, newest)
}
