// The shape of binaryen's expression tree, over its raw C API (pointers, no per-node objects):
// which children an expression has, in evaluation order, and how to put a new expression in a
// child's place. The fuel instrumentation walks the engine with it and rewrites calls, returns and
// traps in place. Every kind the engine uses is listed; an unknown kind is an error, not a skip.
// (It is handed binaryen's module object: only instrument-fuel.ts loads binaryen.)

// The raw C API (`_Binaryen*`, expression ids) is not in binaryen's typings.
export type Pointer = number
export type BinaryenApi = Record<string, (...args: number[]) => Pointer> & Record<string, number>

/** Where a child sits in its parent: `field` is a fixed field's position or an operand's index. */
export interface Shape {
  /** Pushes the present children in evaluation order, each with its field number. */
  children(expression: Pointer, out: Pointer[], fields: number[]): void
  replace(expression: Pointer, field: number, child: Pointer): void
}

export interface ExpressionShapes {
  kindOf(expression: Pointer): number
  BLOCK: number
  LOOP: number
  IF: number
  CALL: number
  CALL_INDIRECT: number
  RETURN: number
  UNREACHABLE: number
  /** Expressions without children. */
  LEAVES: Set<number>
  shapeOf: (expression: Pointer) => Shape | undefined
  /** A function's body as a parent slot: `replace(fn, 0, body)`. */
  FUNCTION_BODY: Shape
}

export function expressionShapes(B: BinaryenApi): ExpressionShapes {
  const kindId = (name: string): number => B[name] as unknown as number
  function api(name: string): (...args: number[]) => Pointer {
    const fn = B[`_Binaryen${name}`]
    if (typeof fn !== 'function') throw new Error(`binaryen has no _Binaryen${name}: its C API changed`)
    return fn
  }

  /** Fixed fields, e.g. `fixed('Store', 'Ptr', 'Value')` → StoreGetPtr/StoreSetPtr, …; absent children are skipped. */
  function fixed(kind: string, ...names: string[]): Shape {
    const getters = names.map((name) => api(`${kind}Get${name}`))
    const setters = names.map((name) => api(`${kind}Set${name}`))
    return {
      children(e, out, fields) {
        for (let i = 0; i < getters.length; i++) {
          const child = getters[i]!(e)
          if (child) {
            out.push(child)
            fields.push(i)
          }
        }
      },
      replace: (e, field, child) => void setters[field]!(e, child),
    }
  }

  /** An operand list, then (for call_indirect) a trailing fixed field at index `count`. */
  function operands(kind: string, tail?: string): Shape {
    const count = api(`${kind}GetNumOperands`)
    const get = api(`${kind}GetOperandAt`)
    const set = api(`${kind}SetOperandAt`)
    const getTail = tail ? api(`${kind}Get${tail}`) : undefined
    const setTail = tail ? api(`${kind}Set${tail}`) : undefined
    return {
      children(e, out, fields) {
        const n = count(e)
        for (let i = 0; i < n; i++) {
          out.push(get(e, i))
          fields.push(i)
        }
        if (getTail) {
          out.push(getTail(e))
          fields.push(n)
        }
      },
      replace(e, field, child) {
        if (setTail && field === count(e)) setTail(e, child)
        else set(e, field, child)
      },
    }
  }

  const shapes = new Map<number, Shape>([
    [kindId('BlockId'), {
      children(e, out, fields) {
        for (let i = 0, n = B._BinaryenBlockGetNumChildren!(e); i < n; i++) {
          out.push(B._BinaryenBlockGetChildAt!(e, i))
          fields.push(i)
        }
      },
      replace: (e, field, child) => void B._BinaryenBlockSetChildAt!(e, field, child),
    }],
    [kindId('IfId'), fixed('If', 'Condition', 'IfTrue', 'IfFalse')],
    [kindId('LoopId'), fixed('Loop', 'Body')],
    [kindId('BreakId'), fixed('Break', 'Value', 'Condition')],
    [kindId('SwitchId'), fixed('Switch', 'Value', 'Condition')],
    [kindId('CallId'), operands('Call')],
    [kindId('CallIndirectId'), operands('CallIndirect', 'Target')],
    [kindId('LocalSetId'), fixed('LocalSet', 'Value')],
    [kindId('GlobalSetId'), fixed('GlobalSet', 'Value')],
    [kindId('LoadId'), fixed('Load', 'Ptr')],
    [kindId('StoreId'), fixed('Store', 'Ptr', 'Value')],
    [kindId('UnaryId'), fixed('Unary', 'Value')],
    [kindId('BinaryId'), fixed('Binary', 'Left', 'Right')],
    [kindId('SelectId'), fixed('Select', 'IfTrue', 'IfFalse', 'Condition')],
    [kindId('DropId'), fixed('Drop', 'Value')],
    [kindId('ReturnId'), fixed('Return', 'Value')],
    [kindId('MemoryGrowId'), fixed('MemoryGrow', 'Delta')],
    [kindId('MemoryInitId'), fixed('MemoryInit', 'Dest', 'Offset', 'Size')],
    [kindId('MemoryCopyId'), fixed('MemoryCopy', 'Dest', 'Source', 'Size')],
    [kindId('MemoryFillId'), fixed('MemoryFill', 'Dest', 'Value', 'Size')],
    [kindId('RefIsNullId'), fixed('RefIsNull', 'Value')],
    [kindId('RefEqId'), fixed('RefEq', 'Left', 'Right')],
    [kindId('RefAsId'), fixed('RefAs', 'Value')],
    [kindId('TableGetId'), fixed('TableGet', 'Index')],
    [kindId('TableSetId'), fixed('TableSet', 'Index', 'Value')],
    [kindId('TableGrowId'), fixed('TableGrow', 'Value', 'Delta')],
    [kindId('TupleMakeId'), operands('TupleMake')],
    [kindId('TupleExtractId'), fixed('TupleExtract', 'Tuple')],
  ])

  const functionBody: Shape = {
    children(fn, out, fields) {
      out.push(B._BinaryenFunctionGetBody!(fn))
      fields.push(0)
    },
    replace: (fn, _field, body) => void B._BinaryenFunctionSetBody!(fn, body),
  }

  const kindOf = (expression: Pointer): number => B._BinaryenExpressionGetId!(expression)
  return {
    kindOf,
    BLOCK: kindId('BlockId'),
    LOOP: kindId('LoopId'),
    IF: kindId('IfId'),
    CALL: kindId('CallId'),
    CALL_INDIRECT: kindId('CallIndirectId'),
    RETURN: kindId('ReturnId'),
    UNREACHABLE: kindId('UnreachableId'),
    LEAVES: new Set(['NopId', 'UnreachableId', 'LocalGetId', 'GlobalGetId', 'ConstId', 'MemorySizeId', 'RefNullId', 'RefFuncId', 'TableSizeId', 'DataDropId', 'PopId'].map(kindId)),
    shapeOf: (expression) => shapes.get(kindOf(expression)),
    FUNCTION_BODY: functionBody,
  }
}
