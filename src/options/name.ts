// The `name` option: required, an identifier-like string.

import { OptionError, kindOf, show } from './errors.ts'

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/

export const NAME_ACCEPTED =
  'a string matching /^[A-Za-z_][A-Za-z0-9_-]*$/ (a letter or _, then letters, digits, _ or -), unique in its module'

export function parseName(value: unknown): string {
  if (value === undefined) {
    throw new OptionError({ option: 'name', value, reason: 'missing, and it is required', accepted: NAME_ACCEPTED })
  }
  if (typeof value !== 'string') {
    throw new OptionError({ option: 'name', value, reason: `${show(value)} is ${kindOf(value)}, not a string`, accepted: NAME_ACCEPTED })
  }
  if (!NAME_PATTERN.test(value)) {
    throw new OptionError({ option: 'name', value, reason: `${show(value)} is not a valid task name`, accepted: NAME_ACCEPTED })
  }
  return value
}
