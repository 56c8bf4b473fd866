// Build step after tsdown: compiles the snippet sandbox (src/snippet/snippet.capsule.ts) with the
// package's own `capsule build` into dist/snippet/ — artifacts + a hashed capsule.manifest.json —
// so runJavaScript() and sessions never componentize at the user's run time. Cached: after the
// first build (10–40 s) it takes a second or two. The engine is then stored gzipped (11.7 → 3.4 MB
// in the package; the runtime inflates it when it compiles the engine, ~60 ms once per process) and
// the manifest records the stored bytes' size and sha256.
// Then it ships the toolchain the snippet was built with (src/compile/shipped/pack-toolchain.ts):
// the snapshot kit in dist/toolchain/<toolchain id>/, the engine by reference to the snippet's,
// so a user's first build installs them instead of building them (when its toolchain is this one).
// They are always built from source here (CAPSULE_BUILD_TOOLCHAIN=1), never from a previous
// package's shipped copy.
import { createHash } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
process.chdir(root)
process.env.CAPSULE_BUILD_TOOLCHAIN = '1'
const { main } = await import('../dist/cli.mjs')
const quiet = process.argv.includes('--quiet')
const code = await main(['node', 'capsule', 'build', 'src/snippet/snippet.capsule.ts', '--out-dir', 'dist/snippet', ...(quiet ? ['--json'] : [])])
if (code !== 0) {
  process.stderr.write('building the snippet sandbox failed\n')
  process.exit(code)
}

const manifestPath = join(root, 'dist/snippet/capsule.manifest.json')
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
for (const file of manifest.engine.files.filter((entry) => entry.path.endsWith('.wasm') && entry.bytes > 1024 * 1024)) {
  const path = join(root, 'dist/snippet', manifest.engine.dir, file.path)
  const plain = readFileSync(path)
  if (plain[0] === 0x1f && plain[1] === 0x8b) continue // already stored gzipped
  const stored = gzipSync(plain, { level: 9 })
  writeFileSync(path, stored)
  Object.assign(file, { sha256: createHash('sha256').update(stored).digest('hex'), bytes: stored.length })
}
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)

// Bundled next to the built package (like bench/run.mjs), so it resolves the toolchain as dist/ does.
const packer = join(root, 'dist', '.pack-toolchain.mjs')
try {
  await build({ entryPoints: [join(root, 'src/compile/shipped/pack-toolchain.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: packer, logLevel: 'error' })
  const { packToolchain } = await import(pathToFileURL(packer).href)
  const index = await packToolchain(join(root, 'node_modules/.cache/capsule'), root)
  if (!quiet) process.stdout.write(`shipped toolchain ${index.toolchainId.slice(0, 12)} (kit + engine ${index.engine.id}) in dist/toolchain/\n`)
} finally {
  rmSync(packer, { force: true })
}
