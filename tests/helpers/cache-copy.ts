// Copies a folder of the repository's compile cache for a test of its own. That cache is live:
// other test files compile into it at the same time, so entries that only exist while a compile
// or a lock is in progress (staging folders and files `*.tmp-*`, compile-hint traces `*.trace-*`,
// lock files) may vanish mid-copy. They are not copied: the copy holds what is complete.
import { cpSync } from 'node:fs'
import { basename } from 'node:path'

const TRANSIENT = /\.tmp-|\.trace-|^locks$/

export function copyCacheDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (path) => !TRANSIENT.test(basename(path)) })
}
