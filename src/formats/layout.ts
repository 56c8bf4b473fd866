// File names of the on-disk artifacts, shared by the compiler (which writes them) and the
// runtime (which loads them).

/** The jco glue module. */
export const GLUE_FILE = 'component.js'
/** The name the glue asks for as its main core module; the runtime hands it the engine. */
export const MAIN_CORE = 'component.core.wasm'
/** The shared, fuel-instrumented engine. */
export const ENGINE_FILE = 'engine.wasm'
/** A task module's snapshot. */
export const TASK_DATA_FILE = 'task.data'
/** The guest bundle's source map (sources relative to the project root): maps task error stacks. */
export const SOURCE_MAP_FILE = 'guest.js.map'
/** How the source map names the package's own guest runtime, whose frames a mapped stack leaves out. */
export const GUEST_RUNTIME_SOURCE = 'capsule:guest/'
/** The uninstrumented engine, kept in the compile cache for the fuel-overhead bench only. */
export const PLAIN_ENGINE_FILE = 'engine.plain.wasm'
/** Written last into an engine directory: its presence means the engine is complete. */
export const ENGINE_META = 'engine.json'

/** The engine files a build emits and the runtime loads: the glue, its adapters, the engine. */
export function engineFiles(supportNames: Iterable<string>): string[] {
  return [...supportNames, ENGINE_FILE].sort()
}
