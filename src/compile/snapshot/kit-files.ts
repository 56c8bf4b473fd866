// The snapshot kit on disk (one per toolchain, in `<cacheDir>/kits/<toolchain id>/`): the
// spliced pre-init engine, componentize-js's bindings script and what the snapshot needs to know
// about them. Shared by the child process that builds it and the host that uses it.
import { join } from 'node:path'

export const KIT_FILES = {
  /** The spliced StarlingMonkey core before init, its mutable globals exported. */
  initWasm: 'init.wasm',
  /** componentize-js's generated bindings (`initializer.js`). */
  initializer: 'initializer.js',
  /** Written last: its presence means the kit is complete. */
  meta: 'kit.json',
} as const

export interface SnapshotGlobalLink {
  /** How init.wasm exports the global. */
  exportName: string
  /** Its index in init.wasm. */
  initIndex: number
  /** Its index in the runnable engine (what task.data records). */
  index: number
  type: number
}

export interface KitMeta {
  componentizeJs: string
  /** The wizer environment (bindings and features), without SOURCE_NAME. */
  env: [string, string][]
  globals: SnapshotGlobalLink[]
  /** The shared engine built from the same splice: `<cacheDir>/engines/<engineId>/`. */
  engineId: string
  engineKey: string
  supportFiles: string[]
}

/** The kit's folder in a cache, for a toolchain id (toolchain.ts). */
export function kitDir(cacheDir: string, toolchainId: string): string {
  return join(cacheDir, 'kits', toolchainId.slice(0, 32))
}
