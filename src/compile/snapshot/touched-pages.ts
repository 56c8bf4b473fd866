// Which 4 KiB pages of a wasm memory were ever written, so a snapshot's scan for non-zero data
// skips the rest without reading them: on a VM, reading a page nothing wrote faults it in like a
// write (~20 µs), and a snapshot process's scan of a ~9.5 MB kit memory whose init wrote ~1,000
// of ~2,300 pages spent ~50 ms faulting in zeros. Linux only, from the process's own /proc:
// the memory's mapping is the read-write one that appeared with the instance and has the
// memory's size (/proc/self/maps before and after), and /proc/self/pagemap tells which of its
// pages are present or swapped. The mapping is then proven to be this memory by reading pages of
// it through /proc/self/mem and comparing them with the memory's own bytes. Whenever any step
// fails or doubts (another platform, no /proc, two candidates, a mismatch), the answer is
// "unknown" and the scan reads every page, as before: a page wrongly skipped would drop data.
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

/**
 * Which pages of `memory` (mapped at `address`) were ever written, or undefined when that cannot
 * be told for sure. Pages that were written and hold data are read back through /proc/self/mem
 * and must equal the memory's own bytes.
 */
export function touchedPages(memory: WebAssembly.Memory, address: bigint | undefined): Uint8Array | undefined {
  if (address === undefined) return undefined
  const bytes = new Uint8Array(memory.buffer)
  const pageCount = Math.ceil(bytes.length / PAGE)
  try {
    const entries = new BigUint64Array(pageCount)
    if (!readAt('/proc/self/pagemap', new Uint8Array(entries.buffer), (address / BigInt(PAGE)) * 8n)) return undefined
    const touched = new Uint8Array(pageCount)
    for (let page = 0; page < pageCount; page++) touched[page] = entries[page]! & (PRESENT | SWAPPED) ? 1 : 0
    return provenMapping(bytes, address, touched) ? touched : undefined
  } catch {
    return undefined
  }
}

/** Whether `page` was written and holds data (reading a written page costs no fault). */
function holdsData(bytes: Uint8Array, touched: Uint8Array, page: number): boolean {
  return touched[page] === 1 && bytes.subarray(page * PAGE, (page + 1) * PAGE).some((byte) => byte !== 0)
}

/**
 * Reads written, non-zero pages through /proc/self/mem — the first, the last and one from the
 * middle on — and they must be the memory's own.
 */
function provenMapping(bytes: Uint8Array, address: bigint, touched: Uint8Array): boolean {
  const count = touched.length
  const first = (from: number, step: number) => {
    for (let page = from; page >= 0 && page < count; page += step) if (holdsData(bytes, touched, page)) return page
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
