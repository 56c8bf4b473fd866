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
    'vite': 'src/plugin/entries-vite.ts',
    'rollup': 'src/plugin/entries-rollup.ts',
    'rolldown': 'src/plugin/entries-rolldown.ts',
    'webpack': 'src/plugin/entries-webpack.ts',
    'esbuild': 'src/plugin/entries-esbuild.ts',
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
  dts: {
    entry: [
      'src/index.ts', 'src/runtime/index.ts',
      'src/plugin/entries-vite.ts', 'src/plugin/entries-rollup.ts', 'src/plugin/entries-rolldown.ts',
      'src/plugin/entries-webpack.ts', 'src/plugin/entries-esbuild.ts',
    ],
  },
  // The bundlers are the user's: their types are imported, never bundled.
  deps: { neverBundle: [/^capsule:sandbox\//, /^(vite|rollup|rolldown|webpack|esbuild|unplugin)(\/|$)/] },
  clean: true,
  sourcemap: false,
})
