// The option names of task(), their accepted forms, and "did you mean" suggestions.

import { COMPUTE_ACCEPTED } from './compute.ts'
import { ENV_ACCEPTED } from './env.ts'
import { FILES_ACCEPTED } from './files.ts'
import { HOSTS_ACCEPTED } from './hosts.ts'
import { NAME_ACCEPTED } from './name.ts'
import { RAM_ACCEPTED } from './ram.ts'
import { RETRIES_ACCEPTED } from './retries.ts'
import { TIMEOUT_ACCEPTED } from './timeout.ts'

export const KNOWN_OPTIONS = [
  'name',
  'compute',
  'ram',
  'timeout',
  'maxRetries',
  'allowedFiles',
  'allowedHosts',
  'envVariables',
] as const

export type OptionName = (typeof KNOWN_OPTIONS)[number]

/** The accepted forms of each option, as shown in error messages. */
export const ACCEPTED: Readonly<Record<OptionName, string>> = {
  name: NAME_ACCEPTED,
  compute: COMPUTE_ACCEPTED,
  ram: RAM_ACCEPTED,
  timeout: TIMEOUT_ACCEPTED,
  maxRetries: RETRIES_ACCEPTED,
  allowedFiles: FILES_ACCEPTED,
  allowedHosts: HOSTS_ACCEPTED,
  envVariables: ENV_ACCEPTED,
}

export function isKnownOption(key: string): key is OptionName {
  return (KNOWN_OPTIONS as readonly string[]).includes(key)
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}

/** The known option closest to a misspelled one (case-insensitive), if close enough. */
export function suggestOption(key: string, candidates: readonly string[] = KNOWN_OPTIONS): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined
}
