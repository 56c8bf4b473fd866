// Precise TypeScript types for option values, so the editor flags a typo (`'MEDIUM'` misspelt,
// `'5 sec'`) before the build-time check does. They mirror what the parsers accept: compute
// levels and units in any case, an optional space between number and unit, duration parts in
// the order h, m, s, ms. Types only: nothing here exists at run time.

/** Every upper/lower-case spelling of `S`: AnyCase<'ms'> = 'ms' | 'mS' | 'Ms' | 'MS'. */
export type AnyCase<S extends string> = S extends `${infer C}${infer Rest}` ? `${Uppercase<C> | Lowercase<C>}${AnyCase<Rest>}` : ''

/** `'LOW' | 'MEDIUM' | 'HIGH'` in any case. */
export type ComputeLevelName = AnyCase<'LOW' | 'MEDIUM' | 'HIGH'>

/** The common spellings of each unit (the parser takes any case): lower, upper, and KiB/MiB/GiB. */
type Spellings<Unit extends string> = Lowercase<Unit> | Uppercase<Unit>

type SizeUnit = Spellings<'b' | 'k' | 'kb' | 'm' | 'mb' | 'g' | 'gb' | 'kib' | 'mib' | 'gib'> | 'KiB' | 'MiB' | 'GiB'

/** `'512KB'`, `'64MB'`, `'1.5GB'`, `'64MiB'`, `'64 mb'` (1024-based). */
export type SizeString = `${number}${'' | ' '}${SizeUnit}`

type DurationUnits = ['h', 'm', 's', 'ms']

/** The ordered, non-empty sequences of `number unit` parts over h, m, s, ms: '1h30m', '1m30s'. */
type CompoundDuration<Units extends string[]> = Units extends [infer Unit extends string, ...infer Later extends string[]]
  ? `${number}${Unit}${'' | CompoundDuration<Later>}` | CompoundDuration<Later>
  : never

/** `'500ms'`, `'30s'`, `'5m'`, `'1h'`, `'1m30s'`, `'30 s'` (units h, m, s, ms, in that order). */
export type DurationString = `${number} ${Spellings<DurationUnits[number]>}` | `${number}${Spellings<'h' | 'm' | 's' | 'ms'>}` | CompoundDuration<DurationUnits>
