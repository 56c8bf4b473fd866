// V8's compilation hints for the snapshot kit: a custom section named "compilationHints" (read by
// V8 with --experimental-wasm-compilation-hints, ignored otherwise) holding one byte per declared
// function, which here marks the functions a snapshot is known to reach as "compile eagerly,
// baseline tier". V8 then compiles them while the module is compiled, before the module's source
// has even arrived, instead of one by one on the snapshot's path the first time each is called
// (~1,300 functions, most of a new process's first snapshot). Where and when code is compiled
// changes, never what it does. V8 reads the section only between the function and the code
// sections: the module's file is read around it, straight into the buffer V8 compiles (no
// second copy of ~10 MB).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { SECTION, WasmReader } from '../engine/wasm-reader.ts'
import { section, uleb, wasmName } from '../engine/wasm-writer.ts'

export const HINTS_SECTION = 'compilationHints'
/** Strategy eager (2), baseline tier Liftoff (1 << 2), top tier baseline (1 << 4). */
const EAGER_BASELINE = 0x02 | (0x01 << 2) | (0x01 << 4)
/** V8's default: what the flags say (lazy compilation). */
const DEFAULT_HINT = 0x00
/** The sections before the code section are read from this much of the file's head. */
const HEAD_BYTES = 1 << 20

export interface FunctionLayout {
  /** Imported functions come first in the function index space. */
  importedFunctions: number
  declaredFunctions: number
  /** File offset of the code section's header: the hints go right before it. */
  codeSectionStart: number
}

function skipLeb(reader: WasmReader): void {
  while (reader.u8() & 0x80) { /* continuation bytes */ }
}

/** A value type or reference type (GC proposal forms included), skipped. */
function skipValueType(reader: WasmReader): void {
  const type = reader.u8()
  if (type === 0x63 || type === 0x64) reader.s32()
}

function skipLimits(reader: WasmReader): void {
  const flags = reader.u8()
  skipLeb(reader)
  if (flags & 0x01) skipLeb(reader)
}

function countImportedFunctions(reader: WasmReader): number {
  let functions = 0
  const count = reader.u32()
  for (let i = 0; i < count; i++) {
    reader.take(reader.u32())
    reader.take(reader.u32())
    const kind = reader.u8()
    if (kind === 0x00) {
      functions++
      reader.u32()
    } else if (kind === 0x01) {
      skipValueType(reader)
      skipLimits(reader)
    } else if (kind === 0x02) skipLimits(reader)
    else if (kind === 0x03) {
      skipValueType(reader)
      reader.u8()
    } else if (kind === 0x04) {
      reader.u8()
      reader.u32()
    } else throw new Error(`unknown import kind ${kind}`)
  }
  return functions
}

/** Where a module's functions are declared and its code begins, from the head of its bytes. */
export function functionLayout(head: Uint8Array): FunctionLayout {
  const reader = new WasmReader(head, 8)
  let importedFunctions = 0
  let declaredFunctions = 0
  while (reader.pos < head.length) {
    const start = reader.pos
    const id = reader.u8()
    const size = reader.u32()
    if (id === SECTION.code) return { importedFunctions, declaredFunctions, codeSectionStart: start }
    if (reader.pos + size > head.length) break
    if (id === SECTION.import) importedFunctions = countImportedFunctions(new WasmReader(head, reader.pos))
    if (id === SECTION.function) declaredFunctions = new WasmReader(head, reader.pos).u32()
    reader.pos += size
  }
  throw new Error(`no code section within the first ${head.length} bytes`)
}

/** The section: `eager` holds function indices (imports included, as V8 numbers them). */
export function hintsSection(layout: FunctionLayout, eager: Iterable<number>): Uint8Array {
  const hints = new Uint8Array(layout.declaredFunctions).fill(DEFAULT_HINT)
  for (const index of eager) {
    const declared = index - layout.importedFunctions
    if (declared >= 0 && declared < layout.declaredFunctions) hints[declared] = EAGER_BASELINE
  }
  return section(SECTION.custom, [...wasmName(HINTS_SECTION), ...uleb(layout.declaredFunctions), ...hints])
}

function readFully(fd: number, into: Uint8Array, length: number, position: number): void {
  let done = 0
  while (done < length) {
    const read = readSync(fd, into, done, length - done, position + done)
    if (read === 0) throw new Error('the module file ended early')
    done += read
  }
}

/** The module's bytes from `path` with the hints section inserted before its code section. */
export function readHintedModule(path: string, eager: Iterable<number>): Uint8Array<ArrayBuffer> {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    const head = new Uint8Array(Math.min(size, HEAD_BYTES))
    readFully(fd, head, head.length, 0)
    const layout = functionLayout(head)
    const hints = hintsSection(layout, eager)
    const out = new Uint8Array(size + hints.length)
    out.set(head.subarray(0, layout.codeSectionStart))
    out.set(hints, layout.codeSectionStart)
    readFully(fd, out.subarray(layout.codeSectionStart + hints.length), size - layout.codeSectionStart, layout.codeSectionStart)
    return out
  } finally {
    closeSync(fd)
  }
}
