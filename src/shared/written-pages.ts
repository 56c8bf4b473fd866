// Which 4 KiB pages of a wasm memory were ever written: the rest are zero, and whoever looks for
// data in it (a snapshot's scan for non-zero runs, a sandbox's reset looking for bytes to zero)
// skips them without reading them. On a VM, reading a page nothing wrote faults it in like a
// write (~20 µs each) and makes it resident: a snapshot's scan of a ~9.5 MB kit memory spent
// ~50 ms faulting in zeros, and every reset kept a sandbox's whole memory in RSS. Linux only,
// from the process's own /proc: /proc/self/pagemap tells which pages of an address range are
// present or swapped. The memory's address is found among the private read-write mappings of
// its size that appeared with it (/proc/self/maps before and after), and proven: a random
// 16-byte nonce is written into the memory, read back through /proc/self/mem at the candidate
// address, and the bytes it replaced are put back — only this memory can hold that nonce, even
// when another memory of the same size and the same contents (another sandbox of the module)
// appeared at the same moment. It is proven again whenever the memory's size changed. On any
// doubt (another platform, no /proc, no candidate or two that match, an unreadable file) the
// answer is "unknown" and every page is read, as before: a page wrongly skipped would keep data.
import { randomFillSync } from 'node:crypto'
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'

export const PAGE = 4096
/**
 * A pagemap entry is a native-endian u64; its bits 63 (present) and 62 (swapped) are read from
 * its high 32-bit half, so decoding an entry makes no BigInt (2,300 per reset cost ~15 µs).
 */
const PRESENT_OR_SWAPPED = (1 << 31 | 1 << 30) >>> 0
const HIGH_HALF = new Uint32Array(new BigUint64Array([1n]).buffer)[0] === 1 ? 1 : 0
const NONCE_BYTES = 16

interface Mapping {
  start: bigint
  size: bigint
}

/** The process's private read-write mappings (none where /proc is not). */
function privateWritable(): Mapping[] {
  try {
    const mappings: Mapping[] = []
    for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
      const [range, permissions] = line.split(' ', 2)
      if (permissions !== 'rw-p') continue
      const [start, end] = range!.split('-').map((hex) => BigInt(`0x${hex}`)) as [bigint, bigint]
      mappings.push({ start, size: end - start })
    }
    return mappings
  } catch {
    return []
  }
}

/** The start addresses of the process's private read-write mappings (empty where /proc is not). */
export function writableMappings(): Set<bigint> {
  return new Set(privateWritable().map((mapping) => mapping.start))
}

function readAt(path: string, into: Uint8Array, position: bigint | number): boolean {
  const fd = openSync(path, 'r')
  try {
    return readSync(fd, into, 0, into.length, position) === into.length
  } finally {
    closeSync(fd)
  }
}

/**
 * Whether `memory` is mapped at `address`: a fresh random nonce written at its start must read
 * back through /proc/self/mem there. The memory's own bytes are put back before this returns.
 * Only call it while nothing runs in the memory.
 */
function holdsMemory(memory: WebAssembly.Memory, address: bigint): boolean {
  const bytes = new Uint8Array(memory.buffer, 0, NONCE_BYTES)
  const saved = bytes.slice()
  const nonce = randomFillSync(new Uint8Array(NONCE_BYTES))
  bytes.set(nonce)
  try {
    const seen = new Uint8Array(NONCE_BYTES)
    return readAt('/proc/self/mem', seen, address) && Buffer.compare(seen, nonce) === 0
  } catch {
    return false
  } finally {
    bytes.set(saved)
  }
}

/**
 * The address of `memory`'s mapping: among the private read-write mappings of its size that are
 * not in `before` (taken just before the memory was made), the one that holds it (holdsMemory).
 * Undefined unless exactly one does.
 */
export function locateMemory(before: Set<bigint>, memory: WebAssembly.Memory): bigint | undefined {
  if (before.size === 0 || memory.buffer.byteLength < NONCE_BYTES) return undefined
  const size = BigInt(memory.buffer.byteLength)
  const holding = privateWritable().filter((mapping) => mapping.size === size && !before.has(mapping.start) && holdsMemory(memory, mapping.start))
  return holding.length === 1 ? holding[0]!.start : undefined
}

/** A memory's written pages, read as often as asked (between the memory's uses). */
export class WrittenPages {
  /** The pagemap entries as 32-bit halves (two per page), reused from read to read. */
  private entries = new Uint32Array(0)
  /** The memory's size when its address was last proven (holdsMemory). */
  private provenSize: number
  /** Where the memory's first entry sits in /proc/self/pagemap (below 2^53: user addresses are < 2^57). */
  private readonly entryOffset: number

  private constructor(private readonly memory: WebAssembly.Memory, private readonly address: bigint) {
    this.provenSize = memory.buffer.byteLength
    this.entryOffset = Number(address / BigInt(PAGE)) * 8
  }

  /**
   * Finds `memory`'s mapping — call it right after the memory was made, `before` taken just
   * before — or undefined when it cannot be found for sure.
   */
  static locate(memory: WebAssembly.Memory, before: Set<bigint>): WrittenPages | undefined {
    const address = locateMemory(before, memory)
    return address === undefined ? undefined : new WrittenPages(memory, address)
  }

  /**
   * 1 for each page written (present, or swapped out), 0 for a page never written; undefined
   * when /proc cannot be read or the memory is no longer proven to be at its address. Only call
   * it while nothing runs in the memory (a grown memory is proven again, by writing to it).
   */
  read(): Uint8Array | undefined {
    const size = this.memory.buffer.byteLength
    if (size !== this.provenSize) {
      if (!holdsMemory(this.memory, this.address)) return undefined
      this.provenSize = size
    }
    const count = Math.ceil(size / PAGE)
    if (this.entries.length !== count * 2) this.entries = new Uint32Array(count * 2)
    const entries = this.entries
    try {
      if (!readAt('/proc/self/pagemap', new Uint8Array(entries.buffer), this.entryOffset)) return undefined
    } catch {
      return undefined
    }
    const written = new Uint8Array(count)
    for (let page = 0; page < count; page++) written[page] = entries[page * 2 + HIGH_HALF]! & PRESENT_OR_SWAPPED ? 1 : 0
    return written
  }
}
