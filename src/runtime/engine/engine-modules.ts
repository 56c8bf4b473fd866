// Compiles the shared engine's core modules once per process, on the main thread; the compiled
// WebAssembly.Module objects are posted to every worker (V8 shares their code across threads).
// A gzipped file is inflated first: the package ships its snippet sandbox's engine that way
// (3.4 MB instead of 11.7 MB, scripts/build-snippet.mjs); a build's own engine stays plain.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import type { EngineArtifact } from '../artifact.ts'
import { memoize } from '../promise-cache.ts'

export type EngineModules = Map<string, WebAssembly.Module>

const compiled = new Map<string, Promise<EngineModules>>()
const inflate = promisify(gunzip)

/** A core module's bytes: as stored, or inflated when stored gzipped (magic 1f 8b; wasm starts with \0asm). */
async function wasmBytes(path: string): Promise<Buffer<ArrayBuffer>> {
  const bytes = await readFile(path)
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? inflate(bytes) : bytes
}

async function compileEngine(engine: EngineArtifact): Promise<EngineModules> {
  const wasmFiles = engine.files.filter((name) => name.endsWith('.wasm'))
  const modules = await Promise.all(wasmFiles.map(async (name) => [name, await WebAssembly.compile(await wasmBytes(join(engine.dir, name)))] as const))
  return new Map(modules)
}

export function engineModules(engine: EngineArtifact): Promise<EngineModules> {
  return memoize(compiled, engine.dir, () => compileEngine(engine))
}
