// The compiler's public face for the rest of the package (loaded lazily by the runtime/CLI).
export { compileModule, defaultCacheDir, type CompiledModule, type CompileOptions } from './compile-module.ts'
export { TaskModuleError } from './discover-tasks.ts'
