// `npm run bench` (bench/bench.ts) or `npm run bench:queue` (bench/queue.ts): bundles the bench
// (which reaches into the sources) next to the built package in dist/ — so guest files and
// workers resolve as in production — and runs it.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const name = process.argv[2] ?? 'bench'
const outfile = join(root, 'dist', `.${name}.mjs`)
try {
  await build({
    entryPoints: [join(root, 'bench', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  })
  const { main } = await import(pathToFileURL(outfile).href)
  await main(root)
  const { firstCallBench } = await import('./agents-first-call.mjs')
  await firstCallBench()
} finally {
  rmSync(outfile, { force: true })
}
