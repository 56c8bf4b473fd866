// Build time: makes the small adapter core modules jco emits next to the engine (the WASI
// preview1 adapter) export their mutable globals, so the runtime can put them back when it
// resets a sandbox in place. The adapter keeps its stack and state pointers in globals and
// allocates its state in the engine's heap on first use: after the engine's memory is restored
// to the snapshot those pointers would dangle, so a reset zeroes them as a fresh instance has them.
import { ADAPTER_GLOBAL_PREFIX } from '../../formats/glue-hook.ts'
import { importCounts, readGlobals, readSections, SECTION, WasmReader } from './wasm-reader.ts'
import { concat, section, uleb, wasmName } from './wasm-writer.ts'

/**
 * Returns the module with every mutable global it defines exported as
 * `capsule:adapter-global:<index>`, or the same bytes when it has none.
 */
export function exportAdapterGlobals(wasm: Uint8Array): Uint8Array {
  const sections = readSections(wasm)
  const globalSection = sections.find((s) => s.id === SECTION.global)
  if (!globalSection) return wasm
  const firstIndex = importCounts(wasm, sections.find((s) => s.id === SECTION.import)).globals
  const mutable = readGlobals(wasm, globalSection).flatMap((global, i) => (global.mutable ? [firstIndex + i] : []))
  if (mutable.length === 0) return wasm
  const exportSection = sections.find((s) => s.id === SECTION.export)
  if (!exportSection) throw new Error('an adapter module with mutable globals has no export section')
  const reader = new WasmReader(wasm, exportSection.payloadStart)
  const count = reader.u32()
  const extra = mutable.flatMap((index) => [...wasmName(ADAPTER_GLOBAL_PREFIX + index), 0x03, ...uleb(index)])
  const payload = [...uleb(count + mutable.length), ...wasm.subarray(reader.pos, exportSection.end), ...extra]
  const out = concat([wasm.subarray(0, exportSection.start), section(SECTION.export, payload), wasm.subarray(exportSection.end)])
  if (!WebAssembly.validate(out as Uint8Array<ArrayBuffer>)) throw new Error('the adapter does not validate after exporting its globals')
  return out
}
