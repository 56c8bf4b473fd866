// The `maxRetries` option: how many times a failed attempt is retried in a fresh sandbox.

import { OptionError, kindOf, show } from './errors.ts'

export const MAX_RETRIES = 10

export const RETRIES_ACCEPTED = 'an integer from 0 to 10 (default 0)'

export function parseMaxRetries(value: unknown): number {
  const fail = (reason: string): never => {
    throw new OptionError({ option: 'maxRetries', value, reason, accepted: RETRIES_ACCEPTED })
  }
  if (typeof value !== 'number') return fail(`${show(value)} is ${kindOf(value)}, not a number`)
  if (!Number.isInteger(value) || value < 0 || value > MAX_RETRIES) return fail(`${show(value)} is not an integer from 0 to ${MAX_RETRIES}`)
  return value
}
