// The componentize-js internals the build relies on, in one place. componentize-js 0.23 makes a
// component in four steps: splice the WIT bindings into StarlingMonkey (`spliceBindings`), run
// wizer on the result with an environment and stdin describing the bindings and the source,
// stub the unused WASI imports (`stubWasi`), then wrap it as a component (jco `componentNew`).
// The build does the splice and the stubbing once per toolchain and the wizer step itself, per
// module (take-snapshot.ts). tests/snapshot-protocol.test.ts pins every name used here: a
// componentize-js upgrade that changes one fails that test loudly (and the toolchain hash,
// which includes the componentize-js version, keeps old caches apart).
import { readFile } from 'node:fs/promises'

/** The componentize-js version whose internals this file describes. */
export const PINNED_COMPONENTIZE_JS = '0.23.0'

/** componentize-js's default features, in its order; ours are these minus DISABLED_FEATURES. */
export const COMPONENTIZE_DEFAULT_FEATURES = ['stdio', 'random', 'clocks', 'http', 'fetch-event'] as const
/** The exports wizer calls (in this order) and removes, and the post-init status check. */
export const INIT_EXPORTS = { initialize: '_initialize', wizer: 'componentize.wizer', checkInit: 'check_init' } as const

/**
 * The guest's `run` export as the splice lowers it (canonical ABI): three strings in, a pointer
 * to `result<string, string>` out (tag at 0, then the string's pointer and length), freed by its
 * post-return. The snapshot calls it once (take-snapshot.ts), with strings from `cabi_realloc`.
 */
export const RUN_EXPORT = {
  core: 'run', postReturn: 'cabi_post_run', realloc: 'cabi_realloc',
  /** How the wizer environment of the kit describes it. */
  env: { name: 'export_run', args: 'i32,i32,i32,i32,i32,i32', ret: '*i32', retSize: '12' },
} as const

/** The no-op task guest/run.ts registers for the snapshot's warm-up call (`:` keeps it apart from any task name). */
export const WARM_UP_TASK = 'capsule:warm-up'

export type CoreType = 'i32' | 'i64' | 'f32' | 'f64'
export interface CoreFn { params: CoreType[]; ret?: CoreType; retptr: boolean; retsize: number; paramptr: boolean }
export interface SpliceResult {
  wasm: Uint8Array
  jsBindings: string
  exports: [string, CoreFn][]
  imports: [string, string, number][]
}
export interface Splicer {
  spliceBindings(engine: Uint8Array, features: string[], witWorld: string | undefined, witPath: string | undefined, worldName: string | undefined, debug: boolean): SpliceResult
  stubWasi(engine: Uint8Array, features: string[], witWorld: string | undefined, witPath: string | undefined, worldName: string | undefined): Uint8Array
}

function componentizeFile(relative: string): URL {
  return new URL(relative, import.meta.resolve('@bytecodealliance/componentize-js'))
}

/** The splicer component (jco-transpiled) that componentize-js ships in its lib/. */
export async function loadSplicer(): Promise<Splicer> {
  const module = (await import(componentizeFile('../lib/spidermonkey-embedding-splicer.js').href)) as { splicer: Splicer }
  return module.splicer
}

/** The StarlingMonkey engine componentize-js uses by default (no debug build, no AOT). */
export function readStarlingMonkey(): Promise<Uint8Array> {
  return readFile(componentizeFile('../lib/starlingmonkey_embedding.wasm'))
}

export function featuresKept(disabled: readonly string[]): string[] {
  return COMPONENTIZE_DEFAULT_FEATURES.filter((feature) => !disabled.includes(feature))
}

/** The environment componentize-js gives wizer (minus SOURCE_NAME, set per module). */
export function wizerEnvironment(splice: Pick<SpliceResult, 'exports' | 'imports'>, features: string[]): [string, string][] {
  const env: [string, string][] = [
    ['DEBUG', ''],
    ['EXPORT_CNT', String(splice.exports.length)],
    ['FEATURE_CLOCKS', features.includes('clocks') ? '1' : ''],
  ]
  splice.exports.forEach(([name, fn], i) => {
    env.push(
      [`EXPORT${i}_NAME`, name],
      [`EXPORT${i}_ARGS`, (fn.paramptr ? '*' : '') + fn.params.join(',')],
      [`EXPORT${i}_RET`, (fn.retptr ? '*' : '') + (fn.ret ?? '')],
      [`EXPORT${i}_RETSIZE`, String(fn.retsize)],
    )
  })
  splice.imports.forEach(([, name, argCount], i) => {
    env.push([`IMPORT${i}_NAME`, name], [`IMPORT${i}_ARGCNT`, String(argCount)])
  })
  env.push(['IMPORT_CNT', String(splice.imports.length)])
  return env
}

/** What the engine reads on stdin: where the bindings are, the prefix to strip, the source. */
export function wizerStdin(initializerPath: string, stripPrefix: string, sourcePath: string): string {
  return `--initializer-script-path ${initializerPath} --strip-path-prefix ${stripPrefix} ${sourcePath}`
}

/** Metadata componentize-js adds to every component (kept so the engine matches it byte for byte). */
export function componentMetadata(version: string): [string, [string, string][]][] {
  return [['language', [['JavaScript', '']]], ['processed-by', [['ComponentizeJS', version]]]]
}
