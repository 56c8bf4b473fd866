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
