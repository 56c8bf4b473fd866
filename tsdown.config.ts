// Build: host entries at the dist root (workers are found next to them); the guest runtime in
// its own build under dist/guest/ (bundled into each sandbox by esbuild at compile time). Two
// builds, so no chunk is ever shared between code that runs in Node and code that runs inside
// the sandbox: a shared chunk would drag host modules (node:crypto, ...) into every guest.
// package.json's `sideEffects` applies to this build too: a source file imported only for its
// effects (src/compile/preview2-shim-resolution.ts) must be listed there, or it is dropped.
import { defineConfig } from 'tsdown'

const common = {
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: false,
} as const

export default defineConfig([
  {
    ...common,
    entry: {
      'index': 'src/index.ts',
      'runtime': 'src/runtime/index.ts',
      'queue': 'src/queue/index.ts',
      'runtime-worker': 'src/runtime/worker.ts',
      'prespawn': 'src/runtime/prespawn.ts',
      'session-worker': 'src/runtime/session-worker.ts',
      'componentize-worker': 'src/compile/componentize-worker.ts',
      'snapshot-process': 'src/compile/snapshot/snapshot-process.ts',
      'instrument-worker': 'src/compile/engine/instrument-worker.ts',
      'preview2-shim-hooks': 'src/compile/preview2-shim-hooks.ts',
      'cli': 'src/cli/index.ts',
      'vite': 'src/plugin/entries-vite.ts',
      'rollup': 'src/plugin/entries-rollup.ts',
      'rolldown': 'src/plugin/entries-rolldown.ts',
      'webpack': 'src/plugin/entries-webpack.ts',
      'rspack': 'src/plugin/entries-rspack.ts',
      'unplugin': 'src/plugin/index.ts',
      'esbuild': 'src/plugin/entries-esbuild.ts',
      'vitest': 'src/vitest/index.ts',
      'vitest-setup': 'src/vitest/setup.ts',
    },
    dts: {
      entry: [
        'src/index.ts', 'src/runtime/index.ts', 'src/queue/index.ts',
        'src/plugin/entries-vite.ts', 'src/plugin/entries-rollup.ts', 'src/plugin/entries-rolldown.ts',
        'src/plugin/entries-webpack.ts', 'src/plugin/entries-rspack.ts', 'src/plugin/entries-esbuild.ts', 'src/plugin/index.ts',
        'src/vitest/index.ts', 'src/vitest/setup.ts',
      ],
    },
    // The bundlers are the user's: their types are imported, never bundled. So are the optional
    // peers: bullmq + ioredis (only the queue entry loads them) and @opentelemetry/api (loaded
    // lazily by the runtime when the application has it).
    deps: { neverBundle: [/^(vite|rollup|rolldown|webpack|esbuild|unplugin|bullmq|ioredis)(\/|$)/, /^@rspack\//, /^@opentelemetry\//] },
    clean: true,
  },
  {
    ...common,
    entry: {
      globals: 'src/guest/globals.ts',
      run: 'src/guest/run.ts',
      task: 'src/guest/task.ts',
      fs: 'src/guest/fs.ts',
      'fs-promises': 'src/guest/fs-promises.ts',
      path: 'src/guest/path.ts',
      process: 'src/guest/process.ts',
    },
    outDir: 'dist/guest',
    dts: false,
    deps: { neverBundle: [/^capsule:sandbox\//, 'pathe'] },
    clean: false,
  },
])
