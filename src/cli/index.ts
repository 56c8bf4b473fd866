// The `capsule` command line (cac): parses flags, dispatches to a command, maps failures to
// exit codes — 0 task succeeded, 1 task failed, 2 usage/config/build error (one line on stderr).
import { cac } from 'cac'
import pc from 'picocolors'
import { CapsuleError } from '../runtime/errors.ts'
import type { BuildFlags } from './commands/build.ts'
import type { ExecFlags } from './commands/exec.ts'
import type { InspectFlags } from './commands/inspect.ts'
import type { McpFlags } from './commands/mcp.ts'
import type { RunFlags } from './commands/run.ts'
import { terminalSafe } from './terminal-text.ts'
import type { WorkerFlags } from './commands/worker.ts'
import { unknownOptionMessage } from './unknown-option.ts'
import { oneLine, UsageError } from './usage-error.ts'
import { version } from '../version.ts'
import { errorMessage } from '../shared/error-message.ts'

function fail(error: unknown, replacement?: string): number {
  const known = error instanceof UsageError || error instanceof CapsuleError || (error instanceof Error && error.name === 'CACError')
  const message = replacement ?? errorMessage(error)
  // Build errors quote a task module's own text (an import path): printed inert, on one line.
  process.stderr.write(`${pc.red('capsule:')} ${terminalSafe(oneLine(known ? message : `internal error: ${message}`))}\n`)
  return 2
}

export async function main(argv: string[]): Promise<number> {
  const cli = cac('capsule')
  let pending: Promise<number> | undefined

  cli
    .command('run [file] [...args]', "Compile (cached) and run a task in a fresh sandbox (no file: the config's entrypoint)")
    .option('--task <name>', 'Task to run', { default: 'main' })
    .option('--args <json>', 'Task arguments as a JSON array (instead of positional strings)')
    .option('--json', 'Print only the envelope, as one JSON line')
    .option('--verbose', 'Print lifecycle lines on stderr')
    .option('--trace <file>', 'Append every lifecycle event to <file> as one JSON line')
    .option('--mount <spec>', 'Grant a directory: HOST[::GUEST][:ro|:rw] (repeatable)')
    .option('--config <file>', 'Project config (default: capsule.config.{ts,mts,mjs,js,json} in the working directory)')
    .example('capsule run examples/hello.capsule.ts World')
    .example("capsule run --args '[\"World\"]'   # the entrypoint of capsule.config.*")
    .action((file: string | undefined, args: string[], flags: RunFlags) => {
      pending = import('./commands/run.ts').then((command) => command.runCommand(file, args, flags))
    })

  cli
    .command('build [...files]', 'Compile task modules into artifacts + capsule.manifest.json (default: every *.capsule.{ts,mts,js,mjs} under the root)')
    .option('--out-dir <dir>', 'Output folder', { default: 'dist' })
    .option('--config <file>', 'Project config (default: capsule.config.{ts,mts,mjs,js,json} in the working directory)')
    .option('--json', 'Print one JSON line: the manifest path and counts')
    .option('--verbose', 'Print lifecycle lines on stderr')
    .example('capsule build --out-dir dist')
    .action((files: string[], flags: BuildFlags) => {
      pending = import('./commands/build.ts').then((command) => command.buildCommand(files, flags))
    })

  cli
    .command('exec <manifest> [...args]', 'Run a task from prebuilt artifacts (no compiler; artifact hashes are verified first)')
    .option('--task <module#task>', "Task to run: 'path/to/x.capsule.ts#name', or 'name' when unambiguous", { default: 'main' })
    .option('--args <json>', 'Task arguments as a JSON array (instead of positional strings)')
    .option('--json', 'Print only the envelope, as one JSON line')
    .option('--verbose', 'Print lifecycle lines on stderr')
    .option('--trace <file>', 'Append every lifecycle event to <file> as one JSON line')
    .option('--mount <spec>', 'Grant a directory: HOST[::GUEST][:ro|:rw] (repeatable)')
    .example('capsule exec dist/capsule.manifest.json World --task tasks/hello.capsule.ts#main')
    .action((manifest: string, args: string[], flags: ExecFlags) => {
      pending = import('./commands/exec.ts').then((command) => command.execCommand(manifest, args, flags))
    })

  cli
    .command('inspect <target>', 'Show the tasks of a task module or a manifest and their resolved policies')
    .option('--json', 'Print JSON instead of a table')
    .option('--config <file>', 'Project config, for a task module (default: capsule.config.* in the working directory)')
    .example('capsule inspect dist/capsule.manifest.json')
    .action((target: string, flags: InspectFlags) => {
      pending = import('./commands/inspect.ts').then((command) => command.inspectCommand(target, flags))
    })

  cli
    .command('worker <manifest>', 'Serve queued calls (unplugin-capsule/queue) from prebuilt artifacts, via BullMQ + Redis')
    .option('--redis <url>', 'Redis to take jobs from, e.g. redis://127.0.0.1:6379')
    .option('--concurrency <n>', 'Calls run at once (the sandbox pool size)', { default: 1 })
    .option('--queue <name>', 'Queue name', { default: 'capsule' })
    .option('--lock-duration <ms>', "How long a job's lock lasts; a killed worker's job is taken over after about this long (default 30000)")
    .option('--stalled-interval <ms>', 'How often to look for stalled jobs (default 30000)')
    .option('--verbose', 'Print one line per job on stderr')
    .option('--trace <file>', 'Append every lifecycle event to <file> as one JSON line')
    .example('capsule worker dist/capsule.manifest.json --redis redis://127.0.0.1:6379 --concurrency 4')
    .action((manifest: string, flags: WorkerFlags) => {
      pending = import('./commands/worker.ts').then((command) => command.workerCommand(manifest, flags))
    })

  cli
    .command('mcp [...targets]', 'Serve tasks as MCP tools on stdio: a manifest, task modules (default: every one under the root), and/or --eval')
    .option('--eval', 'Add the execute_javascript tool (runs code strings in fresh sandboxes)')
    .option('--timeout <duration>', 'execute_javascript: timeout per call', { default: '5s' })
    .option('--ram <size>', 'execute_javascript: memory cap per call', { default: '64MB' })
    .option('--compute <level>', 'execute_javascript: LOW, MEDIUM, HIGH or exact fuel', { default: 'MEDIUM' })
    .option('--allow-host <host>', "execute_javascript: a host fetch may reach, e.g. 'api.x.com' or '*.x.com' (repeatable)")
    .option('--allow-file <dir>', 'execute_javascript: a directory under the root, DIR[:ro|:rw] (repeatable)')
    .option('--env <name>', 'execute_javascript: an environment variable it may read (repeatable)')
    .option('--config <file>', 'Project config (default: capsule.config.{ts,mts,mjs,js,json} in the working directory)')
    .option('--verbose', 'Print lifecycle lines on stderr')
    .example('capsule mcp dist/capsule.manifest.json --eval --allow-host api.github.com')
    .action((targets: string[], flags: McpFlags) => {
      pending = import('./commands/mcp.ts').then((command) => command.mcpCommand(targets, flags))
    })

  cli.help()
  cli.version(version)

  try {
    cli.parse(argv, { run: false })
    if (!cli.matchedCommand) {
      if (cli.options.help || cli.options.version) return 0
      throw new UsageError(cli.args.length > 0 ? `unknown command "${cli.args[0]}" (see capsule --help)` : 'no command given (see capsule --help)')
    }
    await cli.runMatchedCommand()
    return await (pending ?? Promise.resolve(0))
  } catch (error) {
    return fail(error, unknownOptionMessage(error, cli.matchedCommand?.options.map((option) => option.rawName) ?? []))
  }
}
