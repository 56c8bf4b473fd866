// Task options → ResolvedPolicy: validates every option of task(options, fn) (and the project
// defaults under them) and resolves it to the form the manifest stores and the runtime enforces.
// Throws OptionError; never falls back silently.

import { resolve } from 'pathe'
import type { TaskOptions } from '../types.ts'
import { COMPUTE_FUEL, DEFAULT_COMPUTE, parseCompute } from './compute.ts'
import { parseEnvVariables } from './env.ts'
import { OptionError, isPlainObject, kindOf, show } from './errors.ts'
import { parseAllowedFiles } from './files.ts'
import { parseAllowedHosts } from './hosts.ts'
import { KNOWN_OPTIONS, isKnownOption, suggestOption, type OptionName } from './known.ts'
import { parseName } from './name.ts'
import type { ResolvedPolicy } from './policy.ts'
import { parseBytes } from './ram.ts'
import { parseMaxRetries } from './retries.ts'
import { parseDuration } from './timeout.ts'

export type TaskDefaults = Partial<Omit<TaskOptions, 'name'>>

export interface ResolveContext {
  /** Project root: `allowedFiles` are relative to it and must exist under it. */
  root: string
  /** Project defaults, applied under the task's own options (per option: the task's value wins). */
  defaults?: TaskDefaults
}

type Policy = Omit<ResolvedPolicy, 'name'>

const OPTIONS_ACCEPTED = `an object literal with the options ${KNOWN_OPTIONS.join(', ')} ("name" is required)`

/** Checks that `raw` is an options object with known keys only; returns its defined entries. */
function ownOptions(raw: unknown, allowed: readonly string[], scope: 'task' | 'defaults'): Map<OptionName, unknown> {
  if (!isPlainObject(raw)) {
    throw new OptionError({
      option: 'options', value: raw, scope, accepted: OPTIONS_ACCEPTED,
      reason: `${scope === 'task' ? 'task options' : 'defaults'} must be an object, got ${kindOf(raw)} ${show(raw)}`,
    })
  }
  const entries = new Map<OptionName, unknown>()
  for (const [key, value] of Object.entries(raw)) {
    if (!isKnownOption(key) || !allowed.includes(key)) {
      const hint = suggestOption(key, allowed)
      throw new OptionError({
        option: key, value, scope, accepted: `the options ${allowed.join(', ')}`,
        reason: key === 'name' && scope === 'defaults'
          ? 'a task name cannot be a default'
          : `not a known option${hint ? ` (did you mean "${hint}"?)` : ''}`,
      })
    }
    if (value !== undefined) entries.set(key, value)
  }
  return entries
}

/** Parses one option (all but `name`) into its resolved field. */
function applyOption(policy: Policy, key: Exclude<OptionName, 'name'>, value: unknown, root: string): void {
  switch (key) {
    case 'compute': policy.fuel = parseCompute(value); break
    case 'ram': policy.ram = parseBytes(value); break
    case 'timeout': policy.timeout = parseDuration(value); break
    case 'maxRetries': policy.maxRetries = parseMaxRetries(value); break
    case 'allowedFiles': policy.files = parseAllowedFiles(value, root); break
    case 'allowedHosts': policy.hosts = parseAllowedHosts(value); break
    case 'envVariables': policy.env = parseEnvVariables(value); break
  }
}

function basePolicy(): Policy {
  return { fuel: COMPUTE_FUEL[DEFAULT_COMPUTE], ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [] }
}

const DEFAULTABLE = KNOWN_OPTIONS.filter((key) => key !== 'name')

/** Validates project defaults alone (e.g. when a config is loaded); throws OptionError (scope 'defaults'). */
export function resolveDefaults(defaults: unknown, context: { root: string }): Policy {
  const root = resolve(context.root)
  const policy = basePolicy()
  for (const [key, value] of ownOptions(defaults, DEFAULTABLE, 'defaults')) {
    try {
      applyOption(policy, key as Exclude<OptionName, 'name'>, value, root)
    } catch (error) {
      throw error instanceof OptionError ? error.inDefaults() : error
    }
  }
  return policy
}

/** Validates the options of one task (with the project defaults under them) and resolves them. */
export function resolveTaskOptions(raw: unknown, context: ResolveContext): ResolvedPolicy {
  const root = resolve(context.root)
  const task = ownOptions(raw, KNOWN_OPTIONS, 'task')
  // Defaults are validated in full, even the options the task overrides.
  const policy = context.defaults === undefined ? basePolicy() : resolveDefaults(context.defaults, { root })
  // In the order they are written: with two bad options, the error names the first in the source.
  let name: string | undefined
  for (const [key, value] of task) {
    if (key === 'name') name = parseName(value)
    else applyOption(policy, key, value, root)
  }
  // No name written: parseName(undefined) throws the "missing, and it is required" error.
  return { name: name ?? parseName(undefined), ...policy }
}

export { OptionError, show, type OptionErrorInit, type OptionScope } from './errors.ts'
export { COMPUTE_ACCEPTED, COMPUTE_FUEL, DEFAULT_COMPUTE, computeLevelOf, parseCompute } from './compute.ts'
export { ENV_ACCEPTED, ENV_NAME_PATTERN, parseEnvVariables } from './env.ts'
export { FILES_ACCEPTED, normalizeRelative, parseAllowedFiles, parseFileGrant } from './files.ts'
export { HOSTS_ACCEPTED, parseAllowedHosts } from './hosts.ts'
export { ACCEPTED, KNOWN_OPTIONS, isKnownOption, suggestOption, type OptionName } from './known.ts'
export { NAME_ACCEPTED, NAME_PATTERN, parseName } from './name.ts'
export { MAX_RAM, RAM_ACCEPTED, formatBytes, parseBytes } from './ram.ts'
export { MAX_RETRIES, RETRIES_ACCEPTED, parseMaxRetries } from './retries.ts'
export { MAX_TIMEOUT, TIMEOUT_ACCEPTED, formatDuration, parseDuration } from './timeout.ts'
export type { FileGrant, ResolvedFileMode, ResolvedPolicy } from './policy.ts'
