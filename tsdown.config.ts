// Build: host entries at the dist root (workers are found next to them), the guest runtime
// under dist/guest/ (bundled into each sandbox by esbuild at compile time).
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: {
    'index': 'src/index.ts',
    'runtime': 'src/runtime/index.ts',
    'runtime-worker': 'src/runtime/worker.ts',
    'componentize-worker': 'src/compile/componentize-worker.ts',
    'cli': 'src/cli/index.ts',
    'guest/globals': 'src/guest/globals.ts',
    'guest/run': 'src/guest/run.ts',
    'guest/task': 'src/guest/task.ts',
    'guest/fs': 'src/guest/fs.ts',
    'guest/fs-promises': 'src/guest/fs-promises.ts',
    'guest/path': 'src/guest/path.ts',
    'guest/process': 'src/guest/process.ts',
  },
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  dts: { entry: ['src/index.ts', 'src/runtime/index.ts'] },
  deps: { neverBundle: [/^capsule:sandbox\//] },
  clean: true,
  sourcemap: false,
})
