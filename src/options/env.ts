// The `envVariables` option: names of environment variables the task may read.

import { OptionError, kindOf, show } from './errors.ts'

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/

export const ENV_ACCEPTED = 'an array of environment variable names matching /^[A-Za-z_][A-Za-z0-9_]*$/, like \'API_KEY\''

/** The variable names, duplicates removed. */
export function parseEnvVariables(value: unknown): string[] {
  const fail = (reason: string, entry: unknown, path?: number[]): never => {
    throw new OptionError({ option: 'envVariables', value: entry, reason, accepted: ENV_ACCEPTED, path })
  }
  if (!Array.isArray(value)) return fail(`${show(value)} is ${kindOf(value)}, not an array`, value)
  const names = new Set<string>()
  value.forEach((entry, index) => {
    if (typeof entry !== 'string') fail(`entry ${index} (${show(entry)}) is ${kindOf(entry)}, not a string`, entry, [index])
    if (!ENV_NAME_PATTERN.test(entry as string)) fail(`${show(entry)} is not a valid variable name`, entry, [index])
    names.add(entry as string)
  })
  return [...names]
}
