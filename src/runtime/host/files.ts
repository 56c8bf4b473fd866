// The `fs-*` host imports: each one goes through the call's file gate (granted directories,
// real paths, ro/rw) before touching the disk.
import type { CallState } from './call-state.ts'
import { toWitResult } from './wit-result.ts'

export function fileImports(current: () => CallState) {
  return {
    fsRead: (path: string) => { const s = current(); return toWitResult(s, s.files().read(path)) },
    fsWrite: (path: string, data: Uint8Array, append: boolean) => { const s = current(); return toWitResult(s, s.files().write(path, data, append)) },
    fsReaddir: (path: string) => { const s = current(); return toWitResult(s, s.files().readdir(path)) },
    fsStat: (path: string) => {
      const s = current()
      return toWitResult(s, s.files().stat(path), (stat) => ({ kind: stat.kind, size: BigInt(stat.size), mtimeMs: stat.mtimeMs }))
    },
    fsMkdir: (path: string, recursive: boolean) => { const s = current(); return toWitResult(s, s.files().mkdir(path, recursive)) },
    fsRm: (path: string, recursive: boolean, force: boolean) => { const s = current(); return toWitResult(s, s.files().rm(path, recursive, force)) },
    fsRename: (source: string, target: string) => { const s = current(); return toWitResult(s, s.files().rename(source, target)) },
  }
}
