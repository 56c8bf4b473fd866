// The CLI's cold start, as a user meets it: `node_modules/.bin/capsule run` in a new process on
// a module the compile cache already holds (a throwaway project links the bin the way npm does).
// Wall time per process, start to exit, and the CPU time it used (user + system, all threads:
// on a shared, busy machine the wall time mostly measures the queue for a core). Its peer, in
// turn with it: `node -e 0`, Node's own start and exit on this machine, spawned the same way.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ColdStart {
  wallMs: number[]
  cpuMs: number[]
  /** `node -e 0`, spawned before each run. */
  nodeWallMs: number[]
}

export function cliColdStart(root: string, args: string[], runs: number): ColdStart {
  const project = mkdtempSync(join(tmpdir(), 'capsule-bench-bin-'))
  try {
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true })
    const bin = join(project, 'node_modules', '.bin', 'capsule')
    symlinkSync(join(root, 'bin', 'capsule.mjs'), bin)
    const result: ColdStart = { wallMs: [], cpuMs: [], nodeWallMs: [] }
    for (let i = 0; i < runs; i++) {
      const nodeStarted = performance.now()
      spawnSync(process.execPath, ['-e', '0'])
      result.nodeWallMs.push(performance.now() - nodeStarted)
      const before = childrenCpuMs()
      const started = performance.now()
      const child = spawnSync(bin, args, { cwd: root, encoding: 'utf8' })
      result.wallMs.push(performance.now() - started)
      if (child.status !== 0) throw new Error(`capsule ${args.join(' ')} exited ${child.status}: ${child.stderr}`)
      result.cpuMs.push(childrenCpuMs() - before)
    }
    return result
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
}

/**
 * CPU time of this process's ended children (Linux: /proc/self/stat cutime + cstime, in 10 ms
 * ticks; NaN elsewhere). Node reports only its own usage.
 */
function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[13]) + Number(fields[14])) * 10
  } catch {
    return Number.NaN
  }
}
