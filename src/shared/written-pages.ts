// Which 4 KiB pages of a wasm memory were ever written: the rest are zero, and whoever looks for
// data in it (a snapshot's scan for non-zero runs, a sandbox's reset looking for bytes to zero)
// skips them without reading them. On a VM, reading a page nothing wrote faults it in like a
// write (~20 µs each) and makes it resident: a snapshot's scan of a ~9.5 MB kit memory spent
// ~50 ms faulting in zeros, and every reset kept a sandbox's whole memory in RSS. Linux only,
// from the process's own /proc: the memory's mapping is the private read-write one that appeared
// with it and has its size (/proc/self/maps before and after), /proc/self/pagemap tells which of
// its pages are present or swapped, and the mapping is proven to be this memory by reading
// written pages through /proc/self/mem and comparing them with the memory's own bytes. Whenever
// any step fails or doubts (another platform, no /proc, two candidates, a mismatch), the answer
// is "unknown" and every page is read, as before: a page wrongly skipped would keep stale data.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'

export const PAGE = 4096
const PRESENT = 1n << 63n
const SWAPPED = 1n << 62n

/** The start addresses of the process's private read-write mappings (empty where /proc is not). */
export function writableMappings(): Set<bigint> {
  try {
    const starts = new Set<bigint>()
    for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
      const [range, permissions] = line.split(' ', 2)
      if (permissions === 'rw-p') starts.add(BigInt(`0x${range!.slice(0, range!.indexOf('-'))}`))
    }
    return starts
  } catch {
    return new Set()
  }
}

/**
 * The address of `memory`'s mapping: the one private read-write mapping of its size that is not
 * in `before` (taken just before the memory was made). Undefined unless exactly one fits.
 */
export function locateMemory(before: Set<bigint>, memory: WebAssembly.Memory): bigint | undefined {
  if (before.size === 0) return undefined
  let found: bigint | undefined
  let count = 0
  try {
    for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
      const [range, permissions] = line.split(' ', 2)
      if (permissions !== 'rw-p') continue
      const [start, end] = range!.split('-').map((hex) => BigInt(`0x${hex}`)) as [bigint, bigint]
      if (before.has(start) || end - start !== BigInt(memory.buffer.byteLength)) continue
      found = start
      count++
    }
  } catch {
    return undefined
  }
  return count === 1 ? found : undefined
}

function readAt(path: string, into: Uint8Array, position: bigint): boolean {
  const fd = openSync(path, 'r')
  try {
    return readSync(fd, into, 0, into.length, position) === into.length
  } finally {
    closeSync(fd)
  }
}

/** Whether `page` was written and holds data (reading a written page costs no fault). */
function holdsData(bytes: Uint8Array, written: Uint8Array, page: number): boolean {
  return written[page] === 1 && bytes.subarray(page * PAGE, (page + 1) * PAGE).some((byte) => byte !== 0)
}

/**
 * Reads written, non-zero pages through /proc/self/mem — the first, the last and one from the
 * middle on — and they must be the memory's own. False when no written page holds data yet.
 */
function provenMapping(bytes: Uint8Array, address: bigint, written: Uint8Array): boolean {
  const count = written.length
  const first = (from: number, step: number) => {
    for (let page = from; page >= 0 && page < count; page += step) if (holdsData(bytes, written, page)) return page
    return -1
  }
  const probes = [...new Set([first(0, 1), first(count >> 1, 1), first(count - 1, -1)])].filter((page) => page >= 0)
  if (probes.length === 0) return false
  const copy = new Uint8Array(PAGE)
  return probes.every((page) => {
    const expected = bytes.subarray(page * PAGE, (page + 1) * PAGE)
    const view = copy.subarray(0, expected.length)
    return readAt('/proc/self/mem', view, address + BigInt(page * PAGE)) && Buffer.compare(view, expected) === 0
  })
}

/** A memory's written pages, read as often as asked; its mapping is proven on the first read. */
export class WrittenPages {
  private entries = new BigUint64Array(0)
  /** The memory's size when its mapping was last proven (0: not proven). A grown memory is proven again. */
  private provenSize = 0

  /** `address`: where `memory` is mapped, as `locate` finds it (a wrong one is refused on reading). */
  constructor(private readonly memory: WebAssembly.Memory, private readonly address: bigint) {}

  /**
   * Finds `memory`'s mapping — call it right after the memory was made (at its first size),
   * `before` taken just before — or undefined when it cannot be found for sure.
   */
  static locate(memory: WebAssembly.Memory, before: Set<bigint>): WrittenPages | undefined {
    const address = locateMemory(before, memory)
    return address === undefined ? undefined : new WrittenPages(memory, address)
  }

  /**
   * 1 for each page written (present, or swapped out), 0 for a page never written; undefined
   * when /proc cannot be read, or while the mapping is not proven to be this memory (it is proven
   * once the memory holds data).
   */
  read(): Uint8Array | undefined {
    const count = Math.ceil(this.memory.buffer.byteLength / PAGE)
    if (this.entries.length !== count) this.entries = new BigUint64Array(count)
    try {
      if (!readAt('/proc/self/pagemap', new Uint8Array(this.entries.buffer), (this.address / BigInt(PAGE)) * 8n)) return undefined
      const written = new Uint8Array(count)
      for (let page = 0; page < count; page++) written[page] = this.entries[page]! & (PRESENT | SWAPPED) ? 1 : 0
      const size = this.memory.buffer.byteLength
      if (this.provenSize !== size) this.provenSize = provenMapping(new Uint8Array(this.memory.buffer), this.address, written) ? size : 0
      return this.provenSize === size ? written : undefined
    } catch {
      return undefined
    }
  }
}
