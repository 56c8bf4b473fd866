// `capsule exec <manifest.json> [...args] --task <module#task>`: run prebuilt artifacts with the
// runtime alone (the compiler is never loaded). The sha256 of every file the task loads is checked
// first: a mismatch is a CapsuleError naming the file (exit 2).
import pc from 'picocolors'
import { createRuntime } from '../../runtime/index.ts'
import { formatEnvelope } from '../format-envelope.ts'
import { eventSinks } from '../lifecycle-output.ts'
import { asList, parseArgs, type RunFlags } from './run.ts'

/** `run`'s flags but the config: a manifest carries its policies already resolved. */
export type ExecFlags = Omit<RunFlags, 'config'>

export async function execCommand(manifest: string, positional: string[], flags: ExecFlags): Promise<number> {
  const args = parseArgs(positional.map(String), flags.args)
  const onEvent = eventSinks(flags)
  const runtime = createRuntime({ poolSize: 1, prestart: true })
  try {
    const started = performance.now()
    const envelope = await runtime.run({ manifest, task: flags.task, args, mounts: asList(flags.mount), onEvent })
    if (flags.verbose) process.stderr.write(`${pc.dim('[capsule]')} verified and ran ${flags.task ?? 'main'} from ${manifest} in ${Math.round(performance.now() - started)} ms\n`)
    process.stdout.write(flags.json ? `${JSON.stringify(envelope)}\n` : `${formatEnvelope(envelope)}\n`)
    return envelope.success ? 0 : 1
  } finally {
    await runtime.close()
  }
}
