// Exact decimal arithmetic for sizes and durations ('1.5GB', '0.25s'): no float rounding surprises.

/** A non-negative decimal `digits` ('12', '1.5', '.25') as the fraction numerator / denominator. */
export interface Fraction {
  numerator: bigint
  denominator: bigint
}

export const DECIMAL_SOURCE = String.raw`(?:\d+(?:\.\d+)?|\.\d+)`

export function parseDecimal(digits: string): Fraction {
  const [whole = '', fraction = ''] = digits.split('.')
  return {
    numerator: BigInt((whole || '0') + fraction),
    denominator: 10n ** BigInt(fraction.length),
  }
}

/** floor(numerator / denominator) for non-negative values. */
export function floorDiv(numerator: bigint, denominator: bigint): bigint {
  return numerator / denominator
}

/** ceil(numerator / denominator) for non-negative values. */
export function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator
}
