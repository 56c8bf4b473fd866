// The `timeout` option: wall-clock milliseconds, from a number of ms or a duration string
// ('500ms', '30s', '5m', '1h', '1m30s'). Fractions are rounded up to whole milliseconds.

import { DECIMAL_SOURCE, ceilDiv, parseDecimal } from './decimal.ts'
import { OptionError, kindOf, show } from './errors.ts'

/** The longest delay a Node timer can wait (2^31-1 ms, about 24.8 days). */
export const MAX_TIMEOUT = 2 ** 31 - 1

export const TIMEOUT_ACCEPTED =
  "a positive number of milliseconds or a string like '500ms', '30s', '5m', '1h', '1m30s' (units h, m, s, ms, each at most once, in that order), at most 24 days"

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }
const UNIT_ORDER = ['h', 'm', 's', 'ms']
const PART = new RegExp(String.raw`(${DECIMAL_SOURCE})\s*(ms|h|m|s)\s*`, 'iy')

/** Milliseconds for a duration. `option` names the option in errors (default `timeout`). */
export function parseDuration(value: unknown, option = 'timeout'): number {
  const fail = (reason: string): never => {
    throw new OptionError({ option, value, reason, accepted: TIMEOUT_ACCEPTED })
  }
  let ms: number
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return fail(`${show(value)} is not a positive number of milliseconds`)
    ms = Math.ceil(value)
  } else if (typeof value === 'string') {
    const text = value.trim()
    if (text === '') return fail(`${show(value)} is empty`)
    if (/^\d+(\.\d+)?$/.test(text)) return fail(`${show(value)} has no unit (write '${text}ms', or the number ${text})`)
    let numerator = 0n
    let denominator = 1n
    let lastRank = -1
    PART.lastIndex = 0
    while (PART.lastIndex < text.length) {
      const match = PART.exec(text)
      if (!match) return fail(`${show(value)} is not a valid duration`)
      const unit = match[2]!.toLowerCase()
      const rank = UNIT_ORDER.indexOf(unit)
      if (rank <= lastRank) return fail(`${show(value)} is not a valid duration: units must appear once each, in the order h, m, s, ms`)
      lastRank = rank
      const part = parseDecimal(match[1]!)
      // numerator/denominator += part * unit
      numerator = numerator * part.denominator + part.numerator * BigInt(UNIT_MS[unit]!) * denominator
      denominator *= part.denominator
    }
    const exact = ceilDiv(numerator, denominator)
    if (exact > BigInt(MAX_TIMEOUT)) return fail(`${show(value)} is longer than ${MAX_TIMEOUT} ms (about 24.8 days), the longest timer`)
    ms = Number(exact)
    if (ms <= 0) return fail(`${show(value)} is not a positive duration`)
  } else {
    return fail(`${show(value)} is ${kindOf(value)}, not a duration`)
  }
  if (ms > MAX_TIMEOUT) return fail(`${show(value)} is longer than ${MAX_TIMEOUT} ms (about 24.8 days), the longest timer`)
  return ms
}

/** A readable, parseable duration: 90000 → '1m30s', 500 → '500ms', 3600000 → '1h'. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return `${ms}ms`
  let rest = Math.round(ms)
  let text = ''
  for (const unit of UNIT_ORDER) {
    const size = UNIT_MS[unit]!
    const count = Math.floor(rest / size)
    if (count > 0) {
      text += `${count}${unit}`
      rest -= count * size
    }
  }
  return text || '0ms'
}
