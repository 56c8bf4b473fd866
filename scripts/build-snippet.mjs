// Build step after tsdown: compiles the snippet sandbox (src/snippet/snippet.capsule.ts) with the
// package's own `capsule build` into dist/snippet/ — artifacts + a hashed capsule.manifest.json —
// so runJavaScript() and sessions never componentize at the user's run time. Cached: after the
// first build (10–40 s) it takes a second or two.
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
process.chdir(root)
const { main } = await import('../dist/cli.mjs')
const quiet = process.argv.includes('--quiet')
const code = await main(['node', 'capsule', 'build', 'src/snippet/snippet.capsule.ts', '--out-dir', 'dist/snippet', ...(quiet ? ['--json'] : [])])
if (code !== 0) {
  process.stderr.write('building the snippet sandbox failed\n')
  process.exit(code)
}
