// Bundles the host's sync HTTP client (src/runtime/capabilities/http.ts) on its own and starts a
// fixture worker that drives it: the capabilities and DNS tests call the real client in a thread,
// as the sandbox worker does. The caller terminates the worker and removes `bundleDir`.
import { buildSync } from 'esbuild'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

export function startHttpClientWorker(workerFile: URL, prefix: string): { worker: Worker; bundleDir: string } {
  const bundleDir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  const outfile = join(bundleDir, 'http.mjs')
  buildSync({
    entryPoints: [fileURLToPath(new URL('../../src/runtime/capabilities/http.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent',
  })
  const worker = new Worker(workerFile, { workerData: { clientModule: pathToFileURL(outfile).href } })
  return { worker, bundleDir }
}
