// Fuel metering for the shared engine, with binaryen (once per toolchain; the result is cached).
// Adds `(global $capsule_fuel (mut i64))`, exported as "capsule:fuel", which the host sets before a
// call and reads after it. Inside a function the counter lives in a local:
//     entry:   local $fuel = global $fuel - N; if ($fuel < 0) { flush; unreachable }
//     region:  local $fuel -= N                    (N = the region's static instruction count)
//     loop:    local $fuel -= N; if ($fuel < 0) { flush; unreachable }
//     call:    flush; call; local $fuel = global $fuel   (imports included: host code reads it)
//     return, end of function, `unreachable`: flush first
// where flush is `global $fuel = local $fuel`. So the global is exact whenever control leaves the
// function (calls, returns, traps), and a charge costs a register subtraction instead of a
// read-modify-write of the global (90% of the charges run inside SpiderMonkey's interpreter loop).
// Only function entries and loop headers check (every repeating path crosses one), so the
// overshoot past the budget is at most one loop iteration or one function body.
// Regions: function bodies, loop bodies (charged each iteration), `if` arms, and the code after a
// named block (a branch target) in its parent's child list — SpiderMonkey's
// interpreter dispatches through `loop { block { block { br_table } op1 } op2 … }`, so without
// those splits every opcode would pay for every handler. Regions cheaper than MIN_REGION are
// folded into their parent: fewer checks, a slight over-count, still deterministic. A region left
// early still paid in full: fuel is a deterministic upper bound of the instructions executed.
// On exhaustion the counter stays negative, which is how the host tells it from other traps.
// (Where and how much is charged is the calibration behind COUNTER_UNITS_PER_FUEL: changing it
// changes what one unit of fuel means.) No built-in pass does this; a counter in a JS import would
// cost 2.2× instead.
import binaryen from 'binaryen'
import { FUEL_EXPORT } from '../../formats/task-data.ts'
import { MIN_REGION } from './instrumentation.ts'
import { expressionShapes, type BinaryenApi, type Pointer, type Shape } from './expression-slots.ts'

const FUEL_GLOBAL = 'capsule_fuel'
const B = binaryen as unknown as BinaryenApi
const { BLOCK, CALL, CALL_INDIRECT, FUNCTION_BODY, IF, LEAVES, LOOP, RETURN, shapeOf, UNREACHABLE } = expressionShapes(B)

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
  /** (AfterChild) the child index where the region starts */
  at: number
  cost: number
  parent: number
}

/** A call, return or trap to rewrite so the global is flushed first; `parent` 0 is the function. */
interface Exit {
  expression: Pointer
  parent: Pointer
  field: number
  /** Its operands may charge the local (they hold control flow), so they are evaluated first. */
  spill: boolean
}

export interface InstrumentStats {
  functions: number
  regions: number
  /** calls, returns and traps that flush the counter */
  exits: number
  milliseconds: number
}

/** True when evaluating `expression` may run a region's charge (it holds block, if or loop). */
function holdsControlFlow(expression: Pointer, scratch: Pointer[], fields: number[]): boolean {
  const pending = [expression]
  while (pending.length > 0) {
    const e = pending.pop()!
    const kind = B._BinaryenExpressionGetId!(e)
    if (kind === BLOCK || kind === IF || kind === LOOP) return true
    if (LEAVES.has(kind)) continue
    scratch.length = fields.length = 0
    shapeOf(e)?.children(e, scratch, fields)
    pending.push(...scratch)
  }
  return false
}

export function instrumentFuel(engine: Uint8Array): { wasm: Uint8Array; stats: InstrumentStats } {
  const started = performance.now()
  const module = binaryen.readBinary(engine)
  module.addGlobal(FUEL_GLOBAL, binaryen.i64, true, module.i64.const(0n))
  module.addGlobalExport(FUEL_GLOBAL, FUEL_EXPORT)
  const typeOf = (expression: Pointer): number => B._BinaryenExpressionGetType!(expression)
  const i64 = (value: number): Pointer => module.i64.const(BigInt(value))

  const stats: InstrumentStats = { functions: 0, regions: 0, exits: 0, milliseconds: 0 }
  const expressions: Pointer[] = []
  const owners: number[] = []
  const parents: Pointer[] = []
  const parentFields: number[] = []
  const children: Pointer[] = []
  const fields: number[] = []
  const scratch: Pointer[] = []
  const scratchFields: number[] = []
  const push = (child: Pointer, owner: number, parent: Pointer, field: number): void => {
    expressions.push(child)
    owners.push(owner)
    parents.push(parent)
    parentFields.push(field)
  }
  for (let index = 0, count = module.getNumFunctions(); index < count; index++) {
    const fn = module.getFunctionByIndex(index)
    const body = B._BinaryenFunctionGetBody!(fn)
    if (!body) continue
    stats.functions++
    const counter = B._BinaryenFunctionAddVar!(fn, binaryen.i64)
    const temps = new Map<number, number>()
    const temp = (type: number): number => {
      let local = temps.get(type)
      if (local === undefined) temps.set(type, local = B._BinaryenFunctionAddVar!(fn, type))
      return local
    }
    const flush = (): Pointer => module.global.set(FUEL_GLOBAL, module.local.get(counter, binaryen.i64))
    const reload = (): Pointer => module.local.set(counter, module.global.get(FUEL_GLOBAL, binaryen.i64))
    const charge = (cost: number): Pointer => module.local.set(counter, module.i64.sub(module.local.get(counter, binaryen.i64), i64(cost)))
    const check = (): Pointer =>
      module.if(module.i64.lt_s(module.local.get(counter, binaryen.i64), i64(0)), module.block(null, [flush(), module.unreachable()], binaryen.unreachable))
    /** `value`, then flush, still yielding `value`. */
    const thenFlush = (value: Pointer): Pointer => {
      const type = typeOf(value)
      if (type === binaryen.unreachable) return value
      if (type === binaryen.none) return module.block(null, [value, flush()], binaryen.none)
      const local = temp(type)
      return module.block(null, [module.local.set(local, value), flush(), module.local.get(local, type)], type)
    }

    const regions: Region[] = [{ kind: Kind.Function, owner: fn, at: 0, cost: 0, parent: -1 }]
    const exits: Exit[] = []
    push(body, 0, 0, 0)
    // iterative walk: SpiderMonkey's code nests deeper than JS recursion allows
    while (expressions.length > 0) {
      const expression = expressions.pop()!
      const region = owners.pop()!
      const parent = parents.pop()!
      const parentField = parentFields.pop()!
      const kind = B._BinaryenExpressionGetId!(expression)
      if (kind === BLOCK) {
        let current = region
        for (let i = 0, n = B._BinaryenBlockGetNumChildren!(expression); i < n; i++) {
          const child = B._BinaryenBlockGetChildAt!(expression, i)
          push(child, current, expression, i)
          if (i < n - 1 && startsRegionAfter(child)) {
            regions.push({ kind: Kind.AfterChild, owner: expression, at: i + 1, cost: 0, parent: region })
            current = regions.length - 1
          }
        }
        continue
      }
      regions[region]!.cost++
      if (kind === LOOP) {
        regions.push({ kind: Kind.Loop, owner: expression, at: 0, cost: 0, parent: region })
        push(B._BinaryenLoopGetBody!(expression), regions.length - 1, expression, 0)
      } else if (kind === IF) {
        push(B._BinaryenIfGetCondition!(expression), region, expression, 0)
        regions.push({ kind: Kind.IfTrue, owner: expression, at: 0, cost: 0, parent: region })
        push(B._BinaryenIfGetIfTrue!(expression), regions.length - 1, expression, 1)
        const whenFalse = B._BinaryenIfGetIfFalse!(expression)
        if (whenFalse) {
          regions.push({ kind: Kind.IfFalse, owner: expression, at: 0, cost: 0, parent: region })
          push(whenFalse, regions.length - 1, expression, 2)
        }
      } else if (kind === UNREACHABLE) {
        exits.push({ expression, parent, field: parentField, spill: false })
      } else if (!LEAVES.has(kind)) {
        const shape = shapeOf(expression)
        if (!shape) throw new Error(`fuel instrumentation: unsupported expression kind ${kind} in function ${index}`)
        children.length = fields.length = 0
        shape.children(expression, children, fields)
        if (kind === CALL || kind === CALL_INDIRECT || kind === RETURN) {
          const spill = children.some((child) => holdsControlFlow(child, scratch, scratchFields))
          exits.push({ expression, parent, field: parentField, spill })
        }
        for (let i = children.length - 1; i >= 0; i--) push(children[i]!, region, expression, fields[i]!)
      }
    }

    // Rewrite exits innermost first (the reverse of the walk's pre-order): a parent rewritten
    // later reads its children as they are by then.
    for (let i = exits.length - 1; i >= 0; i--) {
      const { expression, parent, field, spill } = exits[i]!
      const kind = B._BinaryenExpressionGetId!(expression)
      const type = typeOf(expression)
      let replacement: Pointer
      if (kind === UNREACHABLE) {
        replacement = module.block(null, [flush(), expression], binaryen.unreachable)
      } else if (kind === RETURN) {
        const value = B._BinaryenReturnGetValue!(expression)
        if (value && spill) {
          B._BinaryenReturnSetValue!(expression, thenFlush(value))
          stats.exits++
          continue
        }
        replacement = module.block(null, [flush(), expression], binaryen.unreachable)
      } else {
        const tail = kind === CALL ? B._BinaryenCallIsReturn!(expression) : B._BinaryenCallIndirectIsReturn!(expression)
        if (type === binaryen.unreachable && !tail) continue // dead code: an operand never returns
        const shape = shapeOf(expression)!
        const sequence: Pointer[] = []
        if (spill) {
          children.length = fields.length = 0
          shape.children(expression, children, fields)
          for (let c = 0; c < children.length; c++) {
            const local = B._BinaryenFunctionAddVar!(fn, typeOf(children[c]!))
            sequence.push(module.local.set(local, children[c]!))
            shape.replace(expression, fields[c]!, module.local.get(local, typeOf(children[c]!)))
          }
        }
        sequence.push(flush())
        if (tail) sequence.push(expression)
        else if (type === binaryen.none) sequence.push(expression, reload())
        else sequence.push(module.local.set(temp(type), expression), reload(), module.local.get(temp(type), type))
        replacement = module.block(null, sequence, type)
      }
      const slot: Shape = parent === 0 ? FUNCTION_BODY : shapeOf(parent)!
      slot.replace(parent === 0 ? fn : parent, field, replacement)
      stats.exits++
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
      const { kind, owner, at, cost } = regions[i]!
      if (cost <= 0 && kind !== Kind.Function) continue
      stats.regions++
      if (kind === Kind.Function) {
        const exit = thenFlush(B._BinaryenFunctionGetBody!(owner))
        const entry = module.local.set(counter, module.i64.sub(module.global.get(FUEL_GLOBAL, binaryen.i64), i64(cost)))
        B._BinaryenFunctionSetBody!(owner, module.block(null, [entry, check(), exit], typeOf(exit)))
      } else if (kind === Kind.Loop) {
        const loopBody = B._BinaryenLoopGetBody!(owner)
        B._BinaryenLoopSetBody!(owner, module.block(null, [charge(cost), check(), loopBody], typeOf(loopBody)))
      } else if (kind === Kind.IfTrue) {
        const arm = B._BinaryenIfGetIfTrue!(owner)
        B._BinaryenIfSetIfTrue!(owner, module.block(null, [charge(cost), arm], typeOf(arm)))
      } else if (kind === Kind.IfFalse) {
        const arm = B._BinaryenIfGetIfFalse!(owner)
        B._BinaryenIfSetIfFalse!(owner, module.block(null, [charge(cost), arm], typeOf(arm)))
      } else {
        B._BinaryenBlockInsertChildAt!(owner, at, charge(cost))
      }
    }
  }
  const wasm = module.emitBinary()
  module.dispose()
  if (!WebAssembly.validate(wasm as Uint8Array<ArrayBuffer>)) throw new Error('the fuel-instrumented engine does not validate')
  stats.milliseconds = Math.round(performance.now() - started)
  return { wasm, stats }
}
