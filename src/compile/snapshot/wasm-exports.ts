// Rewrites a core module's export section: drops named exports and exports globals by index.
// Used on componentize-js's spliced engine (to export the stack pointer for the snapshot, and to
// drop the init exports as wizer does). Byte-level, no dependencies.
import { readSections, SECTION, WasmReader } from '../engine/wasm-reader.ts'
import { concat, section as wasmSection, uleb, wasmName } from '../engine/wasm-writer.ts'

export interface ExportEdit {
  drop?: string[]
  /** Global exports to add: export name → global index. */
  globals?: [name: string, index: number][]
}

export function editExports(bytes: Uint8Array, edit: ExportEdit): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)]
  let seen = false
  for (const section of readSections(bytes)) {
    if (section.id !== SECTION.export) {
      parts.push(bytes.subarray(section.start, section.end))
      continue
    }
    seen = true
    const reader = new WasmReader(bytes, section.payloadStart)
    const total = reader.u32()
    const kept: number[] = []
    let count = 0
    for (let i = 0; i < total; i++) {
      const start = reader.pos
      const name = reader.name()
      reader.u8()
      reader.u32()
      if (edit.drop?.includes(name)) continue
      for (const byte of bytes.subarray(start, reader.pos)) kept.push(byte)
      count++
    }
    for (const [name, index] of edit.globals ?? []) {
      kept.push(...wasmName(name), 0x03, ...uleb(index))
      count++
    }
    const payload = [...uleb(count), ...kept]
    parts.push(wasmSection(SECTION.export, payload))
  }
  if (!seen) throw new Error('the module has no export section')
  return concat(parts)
}
