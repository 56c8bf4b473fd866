// Splits componentize-js's main core module into the shared engine and one task's snapshot.
// Every task built with the same toolchain and world has byte-identical code; only the data
// section (the wizer snapshot) differs. The engine is rewritten so one compiled module runs
// any task: its memory becomes an import (the host creates it with the `ram` cap and writes the
// snapshot in), the data sections go, and mutable globals are zeroed and exported so the host
// restores the snapshot's values. Byte-level and fast (~30 ms): no binaryen here.
import { createHash } from 'node:crypto'
import { encodeTaskData, ENGINE_IMPORT_MODULE, GLOBAL_EXPORT_PREFIX, MEMORY_IMPORT, type SnapshotGlobal } from '../../formats/task-data.ts'
import { readActiveData, readGlobals, readMemories, readSections, SECTION, WasmReader } from './wasm-reader.ts'
import { concat, section, uleb, wasmName } from './wasm-writer.ts'

/** `<type>.const 0; end` for each numeric value type. */
const ZERO_INIT: Record<number, number[]> = {
  0x7f: [0x41, 0x00, 0x0b],
  0x7e: [0x42, 0x00, 0x0b],
  0x7d: [0x43, 0, 0, 0, 0, 0x0b],
  0x7c: [0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b],
}

export interface SplitCore {
  /** sha256 of the engine bytes: two tasks share an engine iff they share this key. */
  engineKey: string
  engine: Uint8Array
  /** The task's snapshot, encoded and gzipped (see formats/task-data.ts). */
  taskData: Uint8Array
  memoryPages: number
}

/** The engine alone, unchecked: enough to instrument its code early (see early-engine.ts). */
export function splitEngine(core: Uint8Array): Uint8Array {
  return splitParts(core).engine
}

export function splitCore(core: Uint8Array): SplitCore {
  const { engine, memoryPages, snapshotGlobals, segments } = splitParts(core)
  if (!WebAssembly.validate(engine as Uint8Array<ArrayBuffer>)) throw new Error('the engine does not validate after the split')
  const engineKey = createHash('sha256').update(engine).digest('hex')
  return { engineKey, engine, taskData: encodeTaskData(engineKey, memoryPages, snapshotGlobals, segments), memoryPages }
}

function splitParts(core: Uint8Array) {
  const sections = readSections(core)
  const only = (id: number) => sections.filter((s) => s.id === id)
  if (only(SECTION.start).length > 0) throw new Error('the core module has a start function: its snapshot cannot be split')
  const [memorySection] = only(SECTION.memory)
  const [globalSection] = only(SECTION.global)
  const [dataSection] = only(SECTION.data)
  if (!memorySection || only(SECTION.import).length !== 1 || only(SECTION.export).length !== 1) {
    throw new Error('unexpected core module layout (memory, import and export sections are required)')
  }
  const memories = readMemories(core, memorySection)
  const memory = memories[0]
  if (memories.length !== 1 || !memory || memory.flags !== 0) throw new Error('expected exactly one unshared 32-bit memory')
  const globals = globalSection ? readGlobals(core, globalSection) : []
  const segments = dataSection ? readActiveData(core, dataSection) : []

  const snapshotGlobals: SnapshotGlobal[] = []
  globals.forEach((global, index) => {
    if (!global.mutable) return
    if (!ZERO_INIT[global.type] || global.init.value === null) throw new Error(`mutable global ${index} has a non-constant initial value`)
    snapshotGlobals.push({ index, type: global.type, value: global.init.value })
  })

  const parts: Uint8Array[] = [core.subarray(0, 8)]
  for (const s of sections) {
    if (s.id === SECTION.data || s.id === SECTION.datacount || s.id === SECTION.memory) continue
    if (s.id === SECTION.import) {
      const reader = new WasmReader(core, s.payloadStart)
      const count = reader.u32()
      const memoryImport = [...wasmName(ENGINE_IMPORT_MODULE), ...wasmName(MEMORY_IMPORT), 0x02, 0x00, 0x00]
      parts.push(section(SECTION.import, [...uleb(count + 1), ...core.subarray(reader.pos, s.end), ...memoryImport]))
    } else if (s.id === SECTION.global) {
      const payload = [...uleb(globals.length)]
      for (const global of globals) payload.push(global.type, global.mutable ? 1 : 0, ...(global.mutable ? ZERO_INIT[global.type]! : global.init.bytes))
      parts.push(section(SECTION.global, payload))
    } else if (s.id === SECTION.export) {
      const reader = new WasmReader(core, s.payloadStart)
      const count = reader.u32()
      const extra = snapshotGlobals.flatMap((g) => [...wasmName(GLOBAL_EXPORT_PREFIX + g.index), 0x03, ...uleb(g.index)])
      parts.push(section(SECTION.export, [...uleb(count + snapshotGlobals.length), ...core.subarray(reader.pos, s.end), ...extra]))
    } else {
      parts.push(core.subarray(s.start, s.end))
    }
  }
  return { engine: concat(parts), memoryPages: memory.min, snapshotGlobals, segments }
}
