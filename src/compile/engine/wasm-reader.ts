// A minimal reader of the wasm binary format: enough to cut a core module into sections and
// read its memory, globals and data segments. No dependencies.

export const SECTION = {
  custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6,
  export: 7, start: 8, element: 9, code: 10, data: 11, datacount: 12, tag: 13,
} as const

const decoder = new TextDecoder()

export class WasmReader {
  constructor(readonly bytes: Uint8Array, public pos = 0) {}

  u8(): number {
    return this.bytes[this.pos++]!
  }

  /** Reads a LEB128 number; returns its bits and how many were read. */
  private leb32(): { bits: number; shift: number; last: number } {
    let bits = 0
    let shift = 0
    let last: number
    do {
      last = this.u8()
      bits |= (last & 0x7f) << shift
      shift += 7
    } while (last & 0x80)
    return { bits, shift, last }
  }

  u32(): number {
    return this.leb32().bits >>> 0
  }

  s32(): number {
    const { bits, shift, last } = this.leb32()
    return (shift < 32 && last & 0x40 ? bits | (-1 << shift) : bits) | 0
  }

  s64(): bigint {
    let result = 0n
    let shift = 0n
    let byte: number
    do {
      byte = this.u8()
      result |= BigInt(byte & 0x7f) << shift
      shift += 7n
    } while (byte & 0x80)
    if (shift < 64n && byte & 0x40) result |= -1n << shift
    return BigInt.asIntN(64, result)
  }

  take(length: number): Uint8Array {
    const view = this.bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return view
  }

  name(): string {
    return decoder.decode(this.take(this.u32()))
  }
}

export interface Section {
  id: number
  /** Offset of the section header. */
  start: number
  /** Offset just past the section. */
  end: number
  /** Offset of the section's payload (after id and size). */
  payloadStart: number
}

export function readSections(bytes: Uint8Array): Section[] {
  const reader = new WasmReader(bytes, 8)
  const sections: Section[] = []
  while (reader.pos < bytes.length) {
    const start = reader.pos
    const id = reader.u8()
    const size = reader.u32()
    const payloadStart = reader.pos
    reader.pos += size
    sections.push({ id, start, end: reader.pos, payloadStart })
  }
  return sections
}

/** How many of each kind a module imports: imports come first in each index space. */
export interface ImportCounts {
  functions: number
  tables: number
  memories: number
  globals: number
  tags: number
}

function skipLeb(reader: WasmReader): void {
  while (reader.u8() & 0x80) { /* continuation bytes */ }
}

/** A value type or reference type (GC proposal forms included), skipped. */
function skipValueType(reader: WasmReader): void {
  const type = reader.u8()
  if (type === 0x63 || type === 0x64) reader.s32()
}

/** Table or memory limits (memory64's wider numbers included), skipped. */
function skipLimits(reader: WasmReader): void {
  const flags = reader.u8()
  skipLeb(reader)
  if (flags & 0x01) skipLeb(reader)
}

/** Counts a module's imports by kind (all zero without an import section). */
export function importCounts(bytes: Uint8Array, importSection: Section | undefined): ImportCounts {
  const counts: ImportCounts = { functions: 0, tables: 0, memories: 0, globals: 0, tags: 0 }
  if (!importSection) return counts
  const reader = new WasmReader(bytes, importSection.payloadStart)
  for (let count = reader.u32(); count > 0; count--) {
    reader.name()
    reader.name()
    const kind = reader.u8()
    if (kind === 0x00) {
      counts.functions++
      reader.u32()
    } else if (kind === 0x01) {
      counts.tables++
      skipValueType(reader)
      skipLimits(reader)
    } else if (kind === 0x02) {
      counts.memories++
      skipLimits(reader)
    } else if (kind === 0x03) {
      counts.globals++
      skipValueType(reader)
      reader.u8()
    } else if (kind === 0x04) {
      counts.tags++
      reader.u8()
      reader.u32()
    } else throw new Error(`unsupported import kind ${kind}`)
  }
  return counts
}

/** A custom section's name (undefined for the other sections). */
export function customSectionName(bytes: Uint8Array, section: Section): string | undefined {
  return section.id === SECTION.custom ? new WasmReader(bytes, section.payloadStart).name() : undefined
}

export interface ConstExpr {
  op: number
  value: number | bigint | null
  bytes: Uint8Array
}

/** A constant expression of the forms a snapshot uses (numeric consts, global.get, ref.*). */
export function readConstExpr(reader: WasmReader): ConstExpr {
  const start = reader.pos
  const op = reader.u8()
  let value: number | bigint | null = null
  const view = new DataView(reader.bytes.buffer, reader.bytes.byteOffset)
  switch (op) {
    case 0x41: value = reader.s32(); break
    case 0x42: value = reader.s64(); break
    case 0x43: value = view.getFloat32(reader.pos, true); reader.pos += 4; break
    case 0x44: value = view.getFloat64(reader.pos, true); reader.pos += 8; break
    case 0x23: reader.u32(); break // global.get
    case 0xd2: reader.u32(); break // ref.func
    case 0xd0: reader.u8(); break // ref.null
    default: throw new Error(`unsupported constant expression opcode 0x${op.toString(16)}`)
  }
  if (reader.u8() !== 0x0b) throw new Error('constant expression: expected end')
  return { op, value, bytes: reader.bytes.subarray(start, reader.pos) }
}

export interface MemoryType { flags: number; min: number; max: number | undefined }

export function readMemories(bytes: Uint8Array, section: Section): MemoryType[] {
  const reader = new WasmReader(bytes, section.payloadStart)
  const count = reader.u32()
  const memories: MemoryType[] = []
  for (let i = 0; i < count; i++) {
    const flags = reader.u8()
    const min = reader.u32()
    const max = flags & 1 ? reader.u32() : undefined
    memories.push({ flags, min, max })
  }
  return memories
}

export interface GlobalDef { type: number; mutable: boolean; init: ConstExpr }

export function readGlobals(bytes: Uint8Array, section: Section): GlobalDef[] {
  const reader = new WasmReader(bytes, section.payloadStart)
  const count = reader.u32()
  const globals: GlobalDef[] = []
  for (let i = 0; i < count; i++) {
    const type = reader.u8()
    const mutable = reader.u8() === 1
    globals.push({ type, mutable, init: readConstExpr(reader) })
  }
  return globals
}

export interface DataSegment { offset: number; data: Uint8Array }

/** Active data segments on memory 0 (what a wizer snapshot holds); anything else is refused. */
export function readActiveData(bytes: Uint8Array, section: Section): DataSegment[] {
  const reader = new WasmReader(bytes, section.payloadStart)
  const count = reader.u32()
  const segments: DataSegment[] = []
  for (let i = 0; i < count; i++) {
    const flag = reader.u32()
    if (flag === 1) throw new Error('passive data segments are not supported')
    if (flag === 2 && reader.u32() !== 0) throw new Error('data segments must target memory 0')
    const offset = readConstExpr(reader)
    if (offset.op !== 0x41) throw new Error('data segment offsets must be i32 constants')
    segments.push({ offset: (offset.value as number) >>> 0, data: reader.take(reader.u32()) })
  }
  return segments
}
