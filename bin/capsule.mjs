#!/usr/bin/env node
// The `capsule` executable: runs the built CLI and exits with its code.
// `capsule run` and `capsule exec` are one-shot processes that run a call or two, so before
// anything compiles WebAssembly they tell V8 to compile wasm lazily (only the functions a call
// reaches, validated when first called) and only with the baseline compiler (no optimizing
// tier-up jobs in the background; V8 12+ no longer turns tier-up off for `--liftoff-only` set at
// run time, so it is turned off by name too — on Node 24 the optimizing jobs of a one-shot
// `capsule run` took ~170 ms that its exit waited for). Long-lived processes (`capsule worker`, the library, the
// plugin, Vitest) keep V8's defaults: optimized code pays off there. They also start a sandbox
// worker thread first thing, so it boots while the CLI loads. Once the answer is written the
// process exits at once instead of waiting for V8's background jobs.
import { setFlagsFromString } from 'node:v8'

const ONE_SHOT = new Set(['run', 'exec'])
const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'))
if (ONE_SHOT.has(command)) {
  for (const flag of ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering', '--wasm-lazy-compilation', '--wasm-lazy-validation']) setFlagsFromString(flag)
  // A sandbox worker thread boots while the CLI loads (the runtime adopts it).
  await import('../dist/prespawn.mjs')
}

const { main } = await import('../dist/cli.mjs')
const code = await main(process.argv)
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve))
await Promise.all([flushed(process.stdout), flushed(process.stderr)])
process.exit(code)
