// The artifact format's building blocks: LEB128 reading and the task-data codec round trip.
import { describe, expect, it } from 'vitest'
import { WasmReader } from '../src/compile/engine/wasm-reader.ts'
import { decodeTaskData, encodeTaskData, writeTaskMemory } from '../src/formats/task-data.ts'

describe('WasmReader', () => {
  it.each([
    [[0x00], 0, 0],
    [[0x7f], 127, -1],
    [[0xe5, 0x8e, 0x26], 624485, 624485],
    [[0xc0, 0xbb, 0x78], 1973696, -123456],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 4294967295, -1],
  ])('reads %j as u32 %d and s32 %d', (bytes, unsigned, signed) => {
    expect(new WasmReader(Uint8Array.from(bytes)).u32()).toBe(unsigned)
    expect(new WasmReader(Uint8Array.from(bytes)).s32()).toBe(signed)
  })

  it('reads signed 64-bit numbers', () => {
    expect(new WasmReader(Uint8Array.from([0x7f])).s64()).toBe(-1n)
    expect(new WasmReader(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).s64()).toBe(-(2n ** 63n))
  })
})

describe('task data', () => {
  it('round-trips a snapshot and lays it out in a fresh memory', () => {
    const key = 'ab'.repeat(32)
    const encoded = encodeTaskData(key, 2, [{ index: 0, type: 0x7f, value: 70_000 }, { index: 3, type: 0x7e, value: -5n }], [
      { offset: 100, data: Uint8Array.from([1, 2, 3]) },
      { offset: 70_000, data: Uint8Array.from([9]) },
    ])
    const decoded = decodeTaskData(encoded)
    expect(decoded).toMatchObject({ engineKey: key, memoryPages: 2, imageOffset: 100 })
    expect(decoded.globals).toEqual([{ index: 0, type: 0x7f, value: 70_000 }, { index: 3, type: 0x7e, value: -5n }])
    const memory = new WebAssembly.Memory({ initial: 2 })
    writeTaskMemory(memory, decoded)
    const bytes = new Uint8Array(memory.buffer)
    expect([...bytes.subarray(99, 104)]).toEqual([0, 1, 2, 3, 0])
    expect(bytes[70_000]).toBe(9)
  })

  it('refuses bytes that are not a task artifact', async () => {
    const { gzipSync } = await import('node:zlib')
    expect(() => decodeTaskData(gzipSync(Buffer.from('not a snapshot')))).toThrow(/not a capsule task artifact/)
  })
})
