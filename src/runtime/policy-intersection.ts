// A sub-task's policy: the callee's own options intersected with its caller's. Files, hosts
// and env can only narrow; time, fuel and memory can only be what the caller has left. The
// result never grants anything the caller did not have, whatever the callee asks for.
import type { FileGrant, ResolvedPolicy } from '../options/policy.ts'
import { hostRuleCovers, parseHostRule } from '../options/host-rule.ts'
import { isPathInside } from '../shared/path-inside.ts'

function narrowerMode(a: FileGrant['mode'], b: FileGrant['mode']): FileGrant['mode'] {
  return a === 'rw' && b === 'rw' ? 'rw' : 'ro'
}

export function intersectFiles(callee: FileGrant[], caller: FileGrant[]): FileGrant[] {
  const result = new Map<string, FileGrant['mode']>()
  const add = (path: string, mode: FileGrant['mode']) => {
    const known = result.get(path)
    result.set(path, known === 'rw' || mode === 'rw' ? 'rw' : 'ro')
  }
  for (const asked of callee) {
    for (const held of caller) {
      if (isPathInside(asked.path, held.path, '/')) add(asked.path, narrowerMode(asked.mode, held.mode))
      else if (isPathInside(held.path, asked.path, '/')) add(held.path, narrowerMode(asked.mode, held.mode))
    }
  }
  return [...result].map(([path, mode]) => ({ path, mode }))
}

export function intersectHosts(callee: string[], caller: string[]): string[] {
  const result = new Set<string>()
  for (const asked of callee) {
    const askedRule = parseHostRule(asked)
    if (!askedRule) continue
    for (const held of caller) {
      const heldRule = parseHostRule(held)
      if (!heldRule) continue
      if (hostRuleCovers(heldRule, askedRule)) result.add(asked)
      else if (hostRuleCovers(askedRule, heldRule)) result.add(held)
    }
  }
  return [...result]
}

function minOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.min(a, b)
}

export interface CallerBudget {
  /** Milliseconds the caller has left, or null when it has no timeout. */
  remainingMs: number | null
  /** Fuel the caller has left, or null when unknown. */
  remainingFuel: number | null
}

export function intersectPolicy(callee: ResolvedPolicy, caller: ResolvedPolicy, budget: CallerBudget): ResolvedPolicy {
  return {
    name: callee.name,
    fuel: Math.max(0, Math.min(callee.fuel, budget.remainingFuel ?? caller.fuel)),
    ram: minOrNull(callee.ram, caller.ram),
    timeout: minOrNull(callee.timeout, budget.remainingMs === null ? null : Math.max(1, Math.floor(budget.remainingMs))),
    maxRetries: callee.maxRetries,
    files: intersectFiles(callee.files, caller.files),
    hosts: intersectHosts(callee.hosts, caller.hosts),
    env: callee.env.filter((name) => caller.env.includes(name)),
  }
}
