// componentize-js imports @bytecodealliance/preview2-shim without declaring it. In a consumer
// project, compiling must still work whatever npm hoisted: with no hoisted copy at all, and with
// another version hoisted (issue: `npm i -D @types/node@20` after installing broke every compile).
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeConsumerTree } from './helpers/consumer-tree.ts'

/** One cache for both trees: the shared engine is made once; each module still compiles (unique source). */
const cacheDir = mkdtempSync(join(tmpdir(), 'capsule-consumer-cache-'))
const nonce = `${process.pid}-${Date.now()}`

function runInTree(bin: string, cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr })
    })
  })
}

describe.each(['nested', 'other-version'] as const)('a consumer tree with preview2-shim %s', (shim) => {
  it('compiles and runs a task module', async () => {
    const tree = makeConsumerTree(shim, shim)
    writeFileSync(join(tree.root, 'capsule.config.json'), JSON.stringify({ cacheDir }))
    writeFileSync(join(tree.root, 'hello.capsule.ts'), [
      "import { task } from 'unplugin-capsule'",
      `export const main = task({ name: 'main' }, () => 'hello from ${shim} ${nonce}')`,
    ].join('\n'))
    const { code, stdout, stderr } = await runInTree(tree.bin, tree.root, ['run', 'hello.capsule.ts', '--json'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ success: true, result: `hello from ${shim} ${nonce}` })
  }, 600_000) // a cold compile in a fresh cache: the shared engine installed (or built), then the snapshot
})
