// The `ram` option: a memory cap in bytes, from a byte count or a size string ('64MB').
// Units are 1024-based whatever their spelling (K = KB = KiB), case-insensitive.

import { DECIMAL_SOURCE, floorDiv, parseDecimal } from './decimal.ts'
import { OptionError, kindOf, show } from './errors.ts'

/** The largest linear memory of wasm32: 65536 pages of 64 KiB. */
export const MAX_RAM = 4 * 1024 ** 3

export const RAM_ACCEPTED =
  "a byte count or a string like '512KB', '64MB', '1.5GB', '64MiB' (units B, K/KB/KiB, M/MB/MiB, G/GB/GiB; K/M/G are 1024-based, case-insensitive), at most 4GiB"

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
}

const SIZE = new RegExp(String.raw`^\s*(${DECIMAL_SOURCE})\s*([A-Za-z]+)\s*$`)

/**
 * Bytes for a size: a positive integer, or a string like '1.5GB' (floored to whole bytes).
 * `option` names the option in errors (default `ram`).
 */
export function parseBytes(value: unknown, option = 'ram'): number {
  const fail = (reason: string): never => {
    throw new OptionError({ option, value, reason, accepted: RAM_ACCEPTED })
  }
  let bytes: number
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value <= 0) return fail(`${show(value)} is not a positive integer number of bytes`)
    bytes = value
  } else if (typeof value === 'string') {
    const match = SIZE.exec(value)
    if (!match) return fail(`${show(value)} is not a valid size`)
    const unit = UNITS[match[2]!.toLowerCase()]
    if (unit === undefined) return fail(`${show(value)} has an unknown unit '${match[2]}'`)
    const { numerator, denominator } = parseDecimal(match[1]!)
    const exact = floorDiv(numerator * BigInt(unit), denominator)
    if (exact > BigInt(MAX_RAM)) return fail(`${show(value)} is more than 4GiB, the wasm32 maximum`)
    bytes = Number(exact)
    if (bytes <= 0) return fail(`${show(value)} is less than one byte`)
  } else {
    return fail(`${show(value)} is ${kindOf(value)}, not a size`)
  }
  if (bytes > MAX_RAM) return fail(`${show(value)} is more than 4GiB, the wasm32 maximum`)
  return bytes
}

/** A readable size for messages and tables: '64 MiB', '1.5 GiB', '512 KiB', '100 B' (parseable by parseBytes). */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size) {
      const scaled = Math.round((bytes / size) * 100) / 100
      return `${scaled} ${unit}`
    }
  }
  return `${bytes} B`
}
