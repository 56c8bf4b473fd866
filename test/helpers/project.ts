// Lays out a throwaway project root for tests that need real directories around a task module.
// The path is fixed (not random) so the compiled component stays a cache hit across runs.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export function makeProject(name: string, files: Record<string, string>, copies: Record<string, string> = {}): string {
  const root = join(tmpdir(), `capsule-test-${name}`)
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  for (const [path, source] of Object.entries(copies)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    copyFileSync(source, join(root, path))
  }
  return root
}
