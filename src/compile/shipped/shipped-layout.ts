// The per-toolchain kit and engine shipped inside the package (dist/toolchain/<toolchain id>/,
// written by scripts/build-snippet.mjs through pack-toolchain.ts): what a user's first build
// installs into its cache instead of building them (install-toolchain.ts) when its toolchain id is
// the shipped one. The index (toolchain.json) names every file with the sha256 and size of the
// bytes stored in the package and of the bytes installed, so nothing tampered with is ever used.
import { join } from 'node:path'
import { packageRoot } from '../../version.ts'

/** Under the package's dist/: one folder per shipped toolchain, named like the cache's kits/. */
export const SHIPPED_TOOLCHAIN_DIR = 'toolchain'
/** The index of a shipped toolchain folder. */
export const SHIPPED_TOOLCHAIN_INDEX = 'toolchain.json'
/** Set to 1 to build the kit and the engine from source even when the package ships them. */
export const BUILD_TOOLCHAIN_ENV = 'CAPSULE_BUILD_TOOLCHAIN'
export const SHIPPED_FORMAT = 1

export interface ShippedFile {
  /** The file's name once installed (in the kit or the engine directory). */
  name: string
  /** Where the package stores it, relative to the shipped toolchain folder (POSIX separators). */
  stored: string
  /** Stored gzipped (inflated when installed). */
  gzip: boolean
  /** sha256 and size of the stored bytes... */
  storedSha256: string
  storedBytes: number
  /** ...and of the installed ones. */
  sha256: string
  bytes: number
}

export interface ShippedToolchain {
  format: typeof SHIPPED_FORMAT
  /** The unplugin-capsule version that packed it. */
  capsule: string
  /** The full toolchain id (toolchain.ts): installed only into a cache of exactly this toolchain. */
  toolchainId: string
  componentizeJs: string
  jco: string
  /** Installed into `<cacheDir>/kits/<toolchain id>/`. */
  kit: ShippedFile[]
  /** Installed into `<cacheDir>/engines/<id>/` (the uninstrumented engine.plain.wasm is not shipped). */
  engine: { id: string; files: ShippedFile[] }
}

/** Where the package ships the toolchain of this id (whether or not it does). */
export function shippedToolchainDir(toolchainId: string, pkg = packageRoot): string {
  return join(pkg, 'dist', SHIPPED_TOOLCHAIN_DIR, toolchainId.slice(0, 32))
}
