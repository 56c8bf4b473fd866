// The `compute` option: a named level or an exact fuel budget.

import type { ComputeLevel } from '../types.ts'
import { OptionError, kindOf, show } from './errors.ts'

/** Fuel units of each compute level. */
export const COMPUTE_FUEL: Readonly<Record<ComputeLevel, number>> = Object.freeze({
  LOW: 100_000_000,
  MEDIUM: 2_000_000_000,
  HIGH: 50_000_000_000,
})

export const DEFAULT_COMPUTE: ComputeLevel = 'MEDIUM'

export const COMPUTE_ACCEPTED =
  "'LOW' (100M fuel), 'MEDIUM' (2G fuel, the default) or 'HIGH' (50G fuel), in any case, or a positive integer: the exact fuel"

/** Fuel for a `compute` value. */
export function parseCompute(value: unknown): number {
  const fail = (reason: string): never => {
    throw new OptionError({ option: 'compute', value, reason, accepted: COMPUTE_ACCEPTED })
  }
  if (typeof value === 'string') {
    const level = value.toUpperCase()
    if (Object.hasOwn(COMPUTE_FUEL, level)) return COMPUTE_FUEL[level as ComputeLevel]
    return fail(`${show(value)} is not a compute level`)
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value <= 0) return fail(`${show(value)} is not a positive integer`)
    if (!Number.isSafeInteger(value)) return fail(`${show(value)} is larger than ${Number.MAX_SAFE_INTEGER}`)
    return value
  }
  return fail(`${show(value)} is ${kindOf(value)}, not a string or a number`)
}

/** The level whose fuel is exactly `fuel`, or null (for display). */
export function computeLevelOf(fuel: number): ComputeLevel | null {
  for (const [level, units] of Object.entries(COMPUTE_FUEL)) if (units === fuel) return level as ComputeLevel
  return null
}
