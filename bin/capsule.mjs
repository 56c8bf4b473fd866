#!/usr/bin/env node
// The `capsule` executable: a one-shot process that runs the built CLI and exits with its code.
// It runs at most a call or two, so before anything compiles WebAssembly it tells V8 to compile
// wasm lazily (only the functions a call reaches, validated when first called) and only with the
// baseline compiler (no optimizing tier-up jobs in the background). Long-lived runtimes (the
// library, the plugin, Vitest) keep V8's defaults: optimized code pays off there. And once the
// answer is written it exits at once instead of waiting for V8's background jobs.
import { setFlagsFromString } from 'node:v8'

for (const flag of ['--liftoff-only', '--wasm-lazy-compilation', '--wasm-lazy-validation']) setFlagsFromString(flag)

const { main } = await import('../dist/cli.mjs')
const code = await main(process.argv)
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve))
await Promise.all([flushed(process.stdout), flushed(process.stderr)])
process.exit(code)
