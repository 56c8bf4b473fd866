// Attacks on the file gate that race its check against its use, on real temp directories:
// another thread keeps swapping an outward symlink over a name inside a rw grant while the
// gate reads and writes that name (zero reads or writes may land outside); a grant root that
// is a symlink; a FIFO inside a grant (must be refused at once, never block the thread).
import { buildSync } from 'esbuild'
import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { createFileGate } from '../src/runtime/capabilities/files.ts'

const SECRET = 'OUTSIDE-SECRET-9F3A'
const SWAP_MS = 3_000
const tmps: string[] = []
const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array) => new TextDecoder().decode(data)

afterAll(() => {
  for (const dir of tmps) rmSync(dir, { recursive: true, force: true })
})

function layout() {
  const tmp = mkdtempSync(join(tmpdir(), 'capsule-races-'))
  tmps.push(tmp)
  const root = join(tmp, 'project')
  const outside = join(tmp, 'outside')
  mkdirSync(join(root, 'out', 'sub'), { recursive: true })
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), SECRET)
  writeFileSync(join(outside, 'f.txt'), SECRET)
  writeFileSync(join(root, 'out', 'target'), 'inside')
  writeFileSync(join(root, 'out', 'sub', 'f.txt'), 'inside')
  return { tmp, root, outside }
}

/**
 * Another thread swaps, as fast as it can: a symlink to the outside over `out/target`, then a
 * regular file back; a symlink to the outside dir over `out/sub`, then the real dir back.
 */
function startSwapper(root: string, outside: string): Worker {
  const source = `
    const { workerData } = require('node:worker_threads')
    const fs = require('node:fs')
    const { root, outside, ms } = workerData
    const out = root + '/out'
    const until = Date.now() + ms
    fs.mkdirSync(out + '/sub-real', { recursive: true })
    fs.writeFileSync(out + '/sub-real/f.txt', 'inside')
    while (Date.now() < until) {
      try { fs.symlinkSync(outside + '/secret.txt', out + '/link.tmp') } catch {}
      try { fs.renameSync(out + '/link.tmp', out + '/target') } catch {}
      try { fs.writeFileSync(out + '/file.tmp', 'inside') } catch {}
      try { fs.renameSync(out + '/file.tmp', out + '/target') } catch {}
      try { fs.renameSync(out + '/sub', out + '/sub-real') } catch {}
      try { fs.symlinkSync(outside, out + '/sub') } catch {}
      try { fs.unlinkSync(out + '/sub') } catch {}
      try { fs.renameSync(out + '/sub-real', out + '/sub') } catch {}
    }
  `
  return new Worker(source, { eval: true, workerData: { root, outside, ms: SWAP_MS } })
}

describe('symlink swaps during reads and writes', () => {
  it(`reads nothing outside its grants while another thread swaps symlinks for ${SWAP_MS} ms`, async () => {
    const { root, outside } = layout()
    const gate = createFileGate({ root, grants: [{ path: 'out', mode: 'rw' }] })
    const swapper = startSwapper(root, outside)
    const done = new Promise(resolve => swapper.once('exit', resolve))
    let inside = 0
    let leaked = 0
    let refused = 0
    const until = Date.now() + SWAP_MS
    while (Date.now() < until) {
      for (const path of ['out/target', 'out/sub/f.txt']) {
        const answer = gate.read(path)
        if (answer.ok && text(answer.value).includes(SECRET)) leaked++
        else if (answer.ok) inside++
        else refused++
      }
      await new Promise(resolve => setImmediate(resolve))
    }
    await done
    expect(leaked).toBe(0)
    expect(inside).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0) // the swaps really happened while it read
  }, SWAP_MS * 4)

  it(`writes nothing outside its grants while another thread swaps symlinks for ${SWAP_MS} ms`, async () => {
    const { root, outside } = layout()
    const gate = createFileGate({ root, grants: [{ path: 'out', mode: 'rw' }] })
    const swapper = startSwapper(root, outside)
    const done = new Promise(resolve => swapper.once('exit', resolve))
    let written = 0
    const until = Date.now() + SWAP_MS
    while (Date.now() < until) {
      if (gate.write('out/target', bytes('PWNED'), false).ok) written++
      if (gate.write('out/sub/f.txt', bytes('PWNED'), true).ok) written++
      gate.write('out/sub/new.txt', bytes('PWNED'), false)
      await new Promise(resolve => setImmediate(resolve))
    }
    await done
    expect(written).toBeGreaterThan(0)
    expect(readdirSync(outside).sort()).toEqual(['f.txt', 'secret.txt'])
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe(SECRET)
    expect(readFileSync(join(outside, 'f.txt'), 'utf8')).toBe(SECRET)
  }, SWAP_MS * 4)
})

describe('grant roots', () => {
  it('refuses a grant whose directory was swapped for a symlink to the project root', () => {
    const { root } = layout()
    writeFileSync(join(root, 'root-secret.txt'), SECRET)
    mkdirSync(join(root, 'out', 'pub'))
    // What a caller with rw on `out` can do before it calls a sub-task granted `out/pub`.
    symlinkSync('..', join(root, 'out', 'up'))
    execFileSync('mv', [join(root, 'out', 'pub'), join(root, 'out', 'pub-away')])
    execFileSync('mv', [join(root, 'out', 'up'), join(root, 'out', 'pub')])
    const gate = createFileGate({ root, grants: [{ path: 'out/pub', mode: 'ro' }] })
    const answer = gate.read('out/pub/root-secret.txt')
    expect(answer).toMatchObject({ ok: false, code: 'EACCES', denied: true })
    expect(gate.readdir('out/pub')).toMatchObject({ ok: false, code: 'EACCES' })
  })
})

describe('special files', () => {
  it('refuses a FIFO inside a grant at once instead of blocking the thread', () => {
    const { root } = layout()
    execFileSync('mkfifo', [join(root, 'out', 'pipe')])
    // A child process, so that a gate that blocks in open()/read() can still be killed.
    const bundleDir = mkdtempSync(join(tmpdir(), 'capsule-fifo-gate-'))
    tmps.push(bundleDir)
    const bundle = join(bundleDir, 'files.mjs')
    buildSync({ entryPoints: [fileURLToPath(new URL('../src/runtime/capabilities/files.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' })
    const script = `
      const { createFileGate } = await import(${JSON.stringify(pathToFileURL(bundle).href)})
      const gate = createFileGate({ root: ${JSON.stringify(root)}, grants: [{ path: 'out', mode: 'rw' }] })
      const read = gate.read('out/pipe')
      const write = gate.write('out/pipe', new Uint8Array([1]), false)
      const append = gate.write('out/pipe', new Uint8Array([1]), true)
      console.log(JSON.stringify({ read, write, append }))
    `
    return new Promise<void>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 5_000 }, (error, stdout) => {
        try {
          expect(error?.killed ?? false).toBe(false)
          const answers = JSON.parse(stdout) as Record<string, { ok: boolean, code: string }>
          for (const answer of Object.values(answers)) expect(answer).toMatchObject({ ok: false, code: 'EACCES' })
          resolve()
        } catch (failure) {
          reject(failure)
        }
      })
    })
  }, 15_000)
})
