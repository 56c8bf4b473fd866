// Compiles the shared engine's core modules once per process, on the main thread; the compiled
// WebAssembly.Module objects are posted to every worker (V8 shares their code across threads).
// A gzipped file is inflated first: the package ships its snippet sandbox's engine that way
// (3.4 MB instead of 11.7 MB, scripts/build-snippet.mjs); a build's own engine stays plain.
// The bytes are read, and inflated, into buffers V8 maps itself (mapped-file.ts: a freed 12 MB
// malloc would make every malloc arena of the process keep up to 24 MB of freed memory).
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type { EngineArtifact } from '../artifact.ts'
import { mappedBuffer, readFileMapped } from '../mapped-file.ts'
import { memoize } from '../promise-cache.ts'
import { gzipInflatedSize, isGzip } from '../../shared/gzip.ts'

export type EngineModules = Map<string, WebAssembly.Module>

const compiled = new Map<string, Promise<EngineModules>>()
/** Inflate in pieces this big: below glibc's initial 128 KiB mmap threshold. */
const PIECE = 64 * 1024

/** A core module's bytes: as stored, or inflated when stored gzipped. */
async function wasmBytes(path: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await readFileMapped(path)
  return isGzip(bytes) ? inflate(bytes) : bytes
}

/** Inflates a gzip stream piece by piece into a mapped buffer sized from its trailer (ISIZE). */
async function inflate(gzipped: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const out = mappedBuffer(gzipInflatedSize(gzipped))
  function* pieces(): Generator<Uint8Array> {
    for (let offset = 0; offset < gzipped.length; offset += PIECE) yield gzipped.subarray(offset, offset + PIECE)
  }
  let length = 0
  await pipeline(Readable.from(pieces()), createGunzip({ chunkSize: PIECE }), async (inflated: AsyncIterable<Buffer>) => {
    for await (const piece of inflated) {
      if (length + piece.length > out.length) throw new Error('the gzipped engine inflates past the size its trailer states')
      out.set(piece, length)
      length += piece.length
    }
  })
  if (length !== out.length) throw new Error('the gzipped engine inflates short of the size its trailer states')
  return out
}

async function compileEngine(engine: EngineArtifact): Promise<EngineModules> {
  const wasmFiles = engine.files.filter((name) => name.endsWith('.wasm'))
  const modules = await Promise.all(wasmFiles.map(async (name) => [name, await WebAssembly.compile(await wasmBytes(join(engine.dir, name)))] as const))
  return new Map(modules)
}

export function engineModules(engine: EngineArtifact): Promise<EngineModules> {
  return memoize(compiled, engine.dir, () => compileEngine(engine))
}
