// Byte-level helpers for rewriting core wasm modules (the engine split, the adapter's exported
// globals): LEB128 numbers, names, sections, and joining parts. The reading side is wasm-reader.ts.
const encoder = new TextEncoder()

export function uleb(value: number): number[] {
  const out: number[] = []
  let rest = value >>> 0
  do {
    let byte = rest & 0x7f
    rest >>>= 7
    if (rest) byte |= 0x80
    out.push(byte)
  } while (rest)
  return out
}

/** A wasm `name`: its UTF-8 length, then its bytes. */
export function wasmName(text: string): number[] {
  const bytes = encoder.encode(text)
  return [...uleb(bytes.length), ...bytes]
}

export function section(id: number, payload: ArrayLike<number>): Uint8Array {
  const header = [id, ...uleb(payload.length)]
  const out = new Uint8Array(header.length + payload.length)
  out.set(header)
  out.set(payload, header.length)
  return out
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
