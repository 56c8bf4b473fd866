// Compiles the shared engine's core modules once per process, on the main thread; the compiled
// WebAssembly.Module objects are posted to every worker (V8 shares their code across threads).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EngineArtifact } from '../artifact.ts'
import { memoize } from '../promise-cache.ts'

export type EngineModules = Map<string, WebAssembly.Module>

const compiled = new Map<string, Promise<EngineModules>>()

async function compileEngine(engine: EngineArtifact): Promise<EngineModules> {
  const wasmFiles = engine.files.filter((name) => name.endsWith('.wasm'))
  const modules = await Promise.all(wasmFiles.map(async (name) => [name, await WebAssembly.compile(await readFile(join(engine.dir, name)))] as const))
  return new Map(modules)
}

export function engineModules(engine: EngineArtifact): Promise<EngineModules> {
  return memoize(compiled, engine.dir, () => compileEngine(engine))
}
