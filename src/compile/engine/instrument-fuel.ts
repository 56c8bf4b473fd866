// Fuel metering for the shared engine, with binaryen (once per toolchain; the result is cached).
// Adds `(global $capsule_fuel (mut i64))`, exported as "capsule:fuel", and at the start of every
// region (≈ basic block) charges that region's static instruction count:
//     global.set $fuel (i64.sub (global.get $fuel) (i64.const N))
// and, at function entries and loop headers (every repeating path crosses one), checks:
//     if (i64.lt_s (global.get $fuel) (i64.const 0)) unreachable
// so the overshoot past the budget is at most one loop iteration or one function body.
// Regions: function bodies, loop bodies (charged each iteration), `if` arms, and the code after a
// named block (a branch target) in its parent's child list — SpiderMonkey's
// interpreter dispatches through `loop { block { block { br_table } op1 } op2 … }`, so without
// those splits every opcode would pay for every handler. Regions cheaper than MIN_REGION are
// folded into their parent: fewer checks, a slight over-count, still deterministic. A region left
// early still paid in full: fuel is a deterministic upper bound of the instructions executed.
// On exhaustion the counter stays negative, which is how the host tells it from other traps.
// It is a custom walk over binaryen's C API (raw pointers, no per-node objects): no built-in
// pass does this, and a counter in a JS import would cost 2.2× instead of ~1.1×.
import binaryen from 'binaryen'
import { FUEL_EXPORT } from '../../runtime/engine/task-data.ts'
import { MIN_REGION } from './instrumentation.ts'


const FUEL_GLOBAL = 'capsule_fuel'

// The raw C API (`_Binaryen*`, expression ids) is not in binaryen's typings.
type Pointer = number
const B = binaryen as unknown as Record<string, (...args: number[]) => Pointer> & Record<string, number>
const id = (name: string): number => B[name] as unknown as number

type ChildGetter = (expression: Pointer, out: Pointer[]) => void
const one = (getter: string): ChildGetter => (e, out) => {
  const child = B[getter]!(e)
  if (child) out.push(child)
}
const all = (...getters: string[]): ChildGetter => (e, out) => {
  for (const getter of getters) out.push(B[getter]!(e))
}
const operands = (count: string, at: string): ChildGetter => (e, out) => {
  for (let i = 0, n = B[count]!(e); i < n; i++) out.push(B[at]!(e, i))
}

const CHILDREN = new Map<number, ChildGetter>([
  [id('BreakId'), (e, out) => { one('_BinaryenBreakGetValue')(e, out); one('_BinaryenBreakGetCondition')(e, out) }],
  [id('SwitchId'), (e, out) => { one('_BinaryenSwitchGetValue')(e, out); out.push(B._BinaryenSwitchGetCondition!(e)) }],
  [id('CallId'), operands('_BinaryenCallGetNumOperands', '_BinaryenCallGetOperandAt')],
  [id('CallIndirectId'), (e, out) => { operands('_BinaryenCallIndirectGetNumOperands', '_BinaryenCallIndirectGetOperandAt')(e, out); out.push(B._BinaryenCallIndirectGetTarget!(e)) }],
  [id('LocalSetId'), one('_BinaryenLocalSetGetValue')],
  [id('GlobalSetId'), one('_BinaryenGlobalSetGetValue')],
  [id('LoadId'), one('_BinaryenLoadGetPtr')],
  [id('StoreId'), all('_BinaryenStoreGetPtr', '_BinaryenStoreGetValue')],
  [id('UnaryId'), one('_BinaryenUnaryGetValue')],
  [id('BinaryId'), all('_BinaryenBinaryGetLeft', '_BinaryenBinaryGetRight')],
  [id('SelectId'), all('_BinaryenSelectGetIfTrue', '_BinaryenSelectGetIfFalse', '_BinaryenSelectGetCondition')],
  [id('DropId'), one('_BinaryenDropGetValue')],
  [id('ReturnId'), one('_BinaryenReturnGetValue')],
  [id('MemoryGrowId'), one('_BinaryenMemoryGrowGetDelta')],
  [id('MemoryInitId'), all('_BinaryenMemoryInitGetDest', '_BinaryenMemoryInitGetOffset', '_BinaryenMemoryInitGetSize')],
  [id('MemoryCopyId'), all('_BinaryenMemoryCopyGetDest', '_BinaryenMemoryCopyGetSource', '_BinaryenMemoryCopyGetSize')],
  [id('MemoryFillId'), all('_BinaryenMemoryFillGetDest', '_BinaryenMemoryFillGetValue', '_BinaryenMemoryFillGetSize')],
  [id('RefIsNullId'), one('_BinaryenRefIsNullGetValue')],
  [id('RefEqId'), all('_BinaryenRefEqGetLeft', '_BinaryenRefEqGetRight')],
  [id('RefAsId'), one('_BinaryenRefAsGetValue')],
  [id('TableGetId'), one('_BinaryenTableGetGetIndex')],
  [id('TableSetId'), all('_BinaryenTableSetGetIndex', '_BinaryenTableSetGetValue')],
  [id('TableGrowId'), all('_BinaryenTableGrowGetValue', '_BinaryenTableGrowGetDelta')],
  [id('TupleMakeId'), operands('_BinaryenTupleMakeGetNumOperands', '_BinaryenTupleMakeGetOperandAt')],
  [id('TupleExtractId'), one('_BinaryenTupleExtractGetTuple')],
])

const LEAVES = new Set(['NopId', 'UnreachableId', 'LocalGetId', 'GlobalGetId', 'ConstId', 'MemorySizeId', 'RefNullId', 'RefFuncId', 'TableSizeId', 'DataDropId', 'PopId'].map(id))

const BLOCK = id('BlockId')
const LOOP = id('LoopId')
const IF = id('IfId')

/**
 * A new region starts after a named block: a branch target, where `br`/`br_table` land. (Also
 * splitting after each `br_if` tracks instructions more tightly but costs ~10% more at run time
 * for the same fuel figures once folded; measured on fib(25).)
 */
function startsRegionAfter(child: Pointer): boolean {
  return B._BinaryenExpressionGetId!(child) === BLOCK && B._BinaryenBlockGetName!(child) !== 0
}

const enum Kind { Function, Loop, IfTrue, IfFalse, AfterChild }

interface Region {
  kind: Kind
  /** function, loop, if, or (AfterChild) the block whose child list continues */
  owner: Pointer
  /** the region's body expression, or (AfterChild) the child index where it starts */
  target: number
  cost: number
  parent: number
}

export interface InstrumentStats {
  functions: number
  regions: number
  milliseconds: number
}

export function instrumentFuel(engine: Uint8Array): { wasm: Uint8Array; stats: InstrumentStats } {
  const started = performance.now()
  const module = binaryen.readBinary(engine)
  module.addGlobal(FUEL_GLOBAL, binaryen.i64, true, module.i64.const(0n as never))
  module.addGlobalExport(FUEL_GLOBAL, FUEL_EXPORT)

  const subtract = (cost: number): Pointer =>
    module.global.set(FUEL_GLOBAL, module.i64.sub(module.global.get(FUEL_GLOBAL, binaryen.i64), module.i64.const(BigInt(cost) as never)))
  const check = (): Pointer =>
    module.if(module.i64.lt_s(module.global.get(FUEL_GLOBAL, binaryen.i64), module.i64.const(0n as never)), module.unreachable())
  // Function entries and loop headers charge and check; every other region only charges.
  const wrap = (body: Pointer, cost: number, checked: boolean): Pointer =>
    module.block(null as never, checked ? [subtract(cost), check(), body] : [subtract(cost), body], B._BinaryenExpressionGetType!(body))

  const stats: InstrumentStats = { functions: 0, regions: 0, milliseconds: 0 }
  const expressions: Pointer[] = []
  const owners: number[] = []
  const children: Pointer[] = []
  for (let index = 0, count = module.getNumFunctions(); index < count; index++) {
    const fn = module.getFunctionByIndex(index) as unknown as Pointer
    const body = B._BinaryenFunctionGetBody!(fn)
    if (!body) continue
    stats.functions++
    const regions: Region[] = [{ kind: Kind.Function, owner: fn, target: body, cost: 0, parent: -1 }]
    expressions.push(body)
    owners.push(0)
    // iterative walk: SpiderMonkey's code nests deeper than JS recursion allows
    while (expressions.length > 0) {
      const expression = expressions.pop()!
      const region = owners.pop()!
      const kind = B._BinaryenExpressionGetId!(expression)
      if (kind === BLOCK) {
        let current = region
        for (let i = 0, n = B._BinaryenBlockGetNumChildren!(expression); i < n; i++) {
          const child = B._BinaryenBlockGetChildAt!(expression, i)
          expressions.push(child)
          owners.push(current)
          if (i < n - 1 && startsRegionAfter(child)) {
            regions.push({ kind: Kind.AfterChild, owner: expression, target: i + 1, cost: 0, parent: region })
            current = regions.length - 1
          }
        }
        continue
      }
      regions[region]!.cost++
      if (kind === LOOP) {
        const loopBody = B._BinaryenLoopGetBody!(expression)
        regions.push({ kind: Kind.Loop, owner: expression, target: loopBody, cost: 0, parent: region })
        expressions.push(loopBody)
        owners.push(regions.length - 1)
      } else if (kind === IF) {
        expressions.push(B._BinaryenIfGetCondition!(expression))
        owners.push(region)
        const whenTrue = B._BinaryenIfGetIfTrue!(expression)
        const whenFalse = B._BinaryenIfGetIfFalse!(expression)
        regions.push({ kind: Kind.IfTrue, owner: expression, target: whenTrue, cost: 0, parent: region })
        expressions.push(whenTrue)
        owners.push(regions.length - 1)
        if (whenFalse) {
          regions.push({ kind: Kind.IfFalse, owner: expression, target: whenFalse, cost: 0, parent: region })
          expressions.push(whenFalse)
          owners.push(regions.length - 1)
        }
      } else if (!LEAVES.has(kind)) {
        const getter = CHILDREN.get(kind)
        if (!getter) throw new Error(`fuel instrumentation: unsupported expression kind ${kind} in function ${index}`)
        children.length = 0
        getter(expression, children)
        for (let i = children.length - 1; i >= 0; i--) {
          expressions.push(children[i]!)
          owners.push(region)
        }
      }
    }
    // fold cheap regions into their parents (children were created after their parents)
    for (let i = regions.length - 1; i > 0; i--) {
      const region = regions[i]!
      if (region.kind !== Kind.Loop && region.cost < MIN_REGION) {
        regions[region.parent]!.cost += region.cost
        region.cost = -1
      }
    }
    // apply from the last region to the first, so child-list insertions keep earlier indices valid
    for (let i = regions.length - 1; i >= 0; i--) {
      const { kind, owner, target, cost } = regions[i]!
      if (cost <= 0 && kind !== Kind.Function) continue
      stats.regions++
      if (kind === Kind.Function) B._BinaryenFunctionSetBody!(owner, wrap(target, cost, true))
      else if (kind === Kind.Loop) B._BinaryenLoopSetBody!(owner, wrap(target, cost, true))
      else if (kind === Kind.IfTrue) B._BinaryenIfSetIfTrue!(owner, wrap(target, cost, false))
      else if (kind === Kind.IfFalse) B._BinaryenIfSetIfFalse!(owner, wrap(target, cost, false))
      else B._BinaryenBlockInsertChildAt!(owner, target, subtract(cost))
    }
  }
  const wasm = module.emitBinary()
  module.dispose()
  if (!WebAssembly.validate(wasm as Uint8Array<ArrayBuffer>)) throw new Error('the fuel-instrumented engine does not validate')
  stats.milliseconds = Math.round(performance.now() - started)
  return { wasm, stats }
}
