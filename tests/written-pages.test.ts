// The pages of a wasm memory nothing ever wrote (src/shared/written-pages.ts, Linux: /proc/self/
// maps, pagemap and mem): found and proven on plain wasm memories, doubted whenever the mapping
// is not certain; on a real kit and a real module's init, the snapshot's scan that skips them
// keeps exactly what reading every page keeps. (Resets that skip them: tests/isolation.test.ts.)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { nonZeroRuns, takeSnapshot } from '../src/compile/snapshot/take-snapshot.ts'
import { locateMemory, writableMappings, WrittenPages } from '../src/shared/written-pages.ts'
import { KIT_FILES, type KitMeta } from '../src/compile/snapshot/kit-files.ts'
import { newestKit, REPO_CACHE, warmRepoCache } from './helpers/kits.ts'

const linux = process.platform === 'linux'
const written = (pages: Uint8Array) => [...pages.keys()].filter((page) => pages[page] === 1)

/**
 * A new memory whose pages can be told. Locating may doubt (a mapping the kernel merged with a
 * neighbour another thread made at that moment, say): the runtime then reads every page; here a
 * new memory is tried, a few times at most.
 */
function trackedMemory(descriptor: WebAssembly.MemoryDescriptor): { memory: WebAssembly.Memory; pages: WrittenPages } {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = writableMappings()
    const memory = new WebAssembly.Memory(descriptor)
    const pages = WrittenPages.locate(memory, before)
    if (pages) return { memory, pages }
  }
  throw new Error('no new memory could be located in 5 attempts')
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('WrittenPages on plain wasm memories', () => {
  it.runIf(linux)('finds a memory by its new mapping and tells the pages written from those never written', () => {
    const { memory, pages } = trackedMemory({ initial: 145, maximum: 200 })
    // the proof wrote its nonce at the start, and put the zeros back (only that page is looked at:
    // on this VM reading a page faults it in, and it would count as written)
    expect(new Uint8Array(memory.buffer, 0, 64).every((byte) => byte === 0)).toBe(true)
    expect(written(pages.read()!), 'only the page the proof wrote to').toEqual([0])
    memory.grow(3) // grows in place, as the kit's memory does during init (proven again)
    const bytes = new Uint8Array(memory.buffer)
    bytes[7] = 1
    bytes[4_096 * 1_000 + 9] = 2
    bytes.fill(0, 4_096 * 1_500, 4_096 * 1_501) // written with zeros: written all the same
    bytes[bytes.length - 1] = 3 // in the grown part
    const answer = pages.read()!
    expect(written(answer)).toEqual([0, 1_000, 1_500, answer.length - 1])
    expect(bytes[7]).toBe(1) // the second proof put the memory's own bytes back too
    expect(nonZeroRuns(bytes, answer)).toEqual(nonZeroRuns(bytes))
    expect(nonZeroRuns(bytes, answer).map((run) => run.offset)).toEqual([7, 4_096 * 1_000 + 9, bytes.length - 1])
  })

  it.runIf(linux)('tells two memories of the same size and contents apart, made at the same moment', () => {
    for (let attempt = 0; ; attempt++) {
      const before = writableMappings()
      const memory = new WebAssembly.Memory({ initial: 150 })
      const twin = new WebAssembly.Memory({ initial: 150 })
      const [mine, its] = [locateMemory(before, memory), locateMemory(before, twin)]
      if ((mine === undefined || its === undefined) && attempt < 5) continue // a doubt: try again
      expect(mine).toBeTypeOf('bigint')
      expect(its).toBeTypeOf('bigint')
      expect(mine).not.toBe(its)
      break
    }
  })

  it.runIf(linux)('doubts, and so answers nothing, when no new mapping holds the memory', () => {
    const older = new WebAssembly.Memory({ initial: 151 })
    const before = writableMappings()
    const newer = new WebAssembly.Memory({ initial: 151 })
    // the only new mapping of its size is the newer memory's: it does not hold the older one
    expect(locateMemory(before, older)).toBeUndefined()
    expect(WrittenPages.locate(newer, writableMappings()), 'nothing new since').toBeUndefined()
    expect(locateMemory(new Set(), newer), 'no /proc: nothing known').toBeUndefined()
  })
})

describe('a real snapshot (the project\'s kit, a real module)', () => {
  let kitDir: string

  beforeAll(async () => {
    await warmRepoCache()
    kitDir = newestKit(join(REPO_CACHE, 'kits'))
  }, 600_000)

  it.runIf(linux)('skips pages, and keeps exactly what reading every page keeps', async () => {
    const meta = JSON.parse(readFileSync(join(kitDir, KIT_FILES.meta), 'utf8')) as KitMeta
    const kit = {
      module: await WebAssembly.compile(readFileSync(join(kitDir, KIT_FILES.initWasm))),
      env: meta.env,
      initializer: readFileSync(join(kitDir, KIT_FILES.initializer)),
      globals: meta.globals,
    }
    const answers: (Uint8Array | undefined)[] = []
    const read = WrittenPages.prototype.read
    vi.spyOn(WrittenPages.prototype, 'read').mockImplementation(function (this: WrittenPages) {
      const answer = read.call(this)
      answers.push(answer)
      return answer
    })
    const source = 'export function run() { return JSON.stringify({ result: { warm: true } }) }\nglobalThis.kept = new Array(50_000).fill(7)'
    // Locating may doubt (then every page is read): a few snapshots at most until one skipped.
    let snapshot = takeSnapshot(kit, source)
    for (let attempt = 0; attempt < 4 && !answers.at(-1); attempt++) snapshot = takeSnapshot(kit, source)
    const answer = answers.at(-1)
    expect(answer, 'the mapping of the kit\'s memory was not found and proven').toBeDefined()
    expect(answer!.includes(0), 'no page was left unwritten: nothing skipped').toBe(true)
    // The segments are views into the snapshot's memory: read all of it, page by page.
    const memory = new Uint8Array(snapshot.segments[0]!.data.buffer)
    const full = nonZeroRuns(memory)
    expect(snapshot.segments.map((s) => [s.offset, s.data.length])).toEqual(full.map((s) => [s.offset, s.data.length]))
    expect(snapshot.segments.every((s, i) => Buffer.compare(s.data, full[i]!.data) === 0)).toBe(true)
  })
})
