// A Node app built with Vite: an SSR build of src/main.ts. The capsule plugin turns the task module
// into sandboxed calls and emits the artifacts + dist/capsule.manifest.json next to the bundle.
import { defineConfig } from 'vite'
import capsule from 'unplugin-capsule/vite'

export default defineConfig({
  plugins: [capsule({ defaults: { timeout: '5s' } })],
  build: {
    ssr: 'src/main.ts',
    outDir: 'dist',
    target: 'node20',
    rolldownOptions: { output: { entryFileNames: '[name].mjs' } },
  },
})
