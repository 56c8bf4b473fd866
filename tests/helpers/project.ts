// Lays out a throwaway project root for tests that need real directories around a task module.
// Each call gets its own folder (two clones may run the suite at once); the folder sits at the
// same depth every time, so the guest bundle, and with it the compile cache key, stays the same.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export function makeProject(name: string, files: Record<string, string>, copies: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), `capsule-test-${name}-`))
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
