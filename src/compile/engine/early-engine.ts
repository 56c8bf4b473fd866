// The engine's code is known right after stubWasi, two steps (componentNew, jco transpile) before
// the core module jco hands back. That module is the stubbed one without its `component-type`
// custom section, every other section byte for byte the same except `producers`, to which
// wit-component adds its own version and the bindings generator's (taken from the component-type
// section): not worth re-deriving. So the componentize child instruments the engine split from
// the stubbed module early, while componentNew and transpile run, and carries the result over
// to the real engine once that is split: the two engines differ only in custom sections that
// binaryen copies verbatim, which are swapped in its output. `carryOver` checks all of that each
// time and answers undefined on anything else (then the real engine is instrumented instead), so
// the engine on disk is always the bytes instrumenting the real engine gives.
import { customSectionName, readSections, type Section } from './wasm-reader.ts'
import { concat } from './wasm-writer.ts'

/** The stubbed core module as wit-component embeds it, `producers` apart. */
export function earlyCore(stubbed: Uint8Array): Uint8Array {
  const kept = readSections(stubbed).filter((s) => !customSectionName(stubbed, s)?.startsWith('component-type'))
  return concat([stubbed.subarray(0, 8), ...kept.map((s) => stubbed.subarray(s.start, s.end))])
}

const bytesOf = (module: Uint8Array, s: Section) => module.subarray(s.start, s.end)
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0

/**
 * `instrumented` (what binaryen made of `early`) as instrumenting `real` would make it, when the
 * two differ only in custom sections that appear verbatim, once, in `instrumented`; else undefined.
 */
export function carryOver(instrumented: Uint8Array, early: Uint8Array, real: Uint8Array): Uint8Array | undefined {
  const earlySections = readSections(early)
  const realSections = readSections(real)
  if (!same(early.subarray(0, 8), real.subarray(0, 8)) || earlySections.length !== realSections.length) return undefined
  const swaps = new Map<string, { from: Uint8Array; to: Uint8Array }>()
  for (const [index, e] of earlySections.entries()) {
    const r = realSections[index]!
    const from = bytesOf(early, e)
    const to = bytesOf(real, r)
    if (same(from, to)) continue
    const name = customSectionName(early, e)
    if (name === undefined || customSectionName(real, r) !== name || swaps.has(name)) return undefined
    swaps.set(name, { from, to })
  }
  if (swaps.size === 0) return instrumented
  const outSections = readSections(instrumented)
  const parts: Uint8Array[] = [instrumented.subarray(0, 8)]
  const swapped = new Set<string>()
  for (const s of outSections) {
    const name = customSectionName(instrumented, s)
    const swap = name === undefined ? undefined : swaps.get(name)
    if (!swap) {
      parts.push(bytesOf(instrumented, s))
      continue
    }
    if (swapped.has(name!) || !same(bytesOf(instrumented, s), swap.from)) return undefined
    swapped.add(name!)
    parts.push(swap.to)
  }
  return swapped.size === swaps.size ? concat(parts) : undefined
}
