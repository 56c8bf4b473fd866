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
import { importCounts, readSections, SECTION, WasmReader } from '../engine/wasm-reader.ts'
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

/** Where a module's functions are declared and its code begins, from the head of its bytes. */
export function functionLayout(head: Uint8Array): FunctionLayout {
  // The head ends inside the code section: the walk stops at its header, the one it needs last.
  const sections = readSections(head)
  const code = sections.find((s) => s.id === SECTION.code)
  if (!code || code.start >= head.length) throw new Error(`no code section within the first ${head.length} bytes`)
  const functions = sections.find((s) => s.id === SECTION.function)
  return {
    importedFunctions: importCounts(head, sections.find((s) => s.id === SECTION.import)).functions,
    declaredFunctions: functions ? new WasmReader(head, functions.payloadStart).u32() : 0,
    codeSectionStart: code.start,
  }
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
