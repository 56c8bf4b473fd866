// The compile cache's shortcut: with every input unchanged, a cache hit skips bundling; any
// changed input (here, a file the task module imports) makes it bundle again.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { rememberBundle, rememberedBundle } from '../src/compile/source-index.ts'

const dir = mkdtempSync(join(tmpdir(), 'capsule-source-index-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('source index', () => {
  it('remembers a key while every input is unchanged, and forgets it when one changes', async () => {
    const source = join(dir, 'x.capsule.ts')
    const helper = join(dir, 'helper.ts')
    writeFileSync(source, 'one')
    writeFileSync(helper, 'two')
    await rememberBundle(join(dir, 'cache'), source, 'tools-1', 'key-1', [source, helper])
    expect(await rememberedBundle(join(dir, 'cache'), source, 'tools-1')).toEqual({ key: 'key-1', inputs: [source, helper] })
    expect(await rememberedBundle(join(dir, 'cache'), source, 'tools-2')).toBeUndefined()
    utimesSync(helper, new Date(), new Date(Date.now() + 5_000))
    expect(await rememberedBundle(join(dir, 'cache'), source, 'tools-1')).toBeUndefined()
  })

  it('never remembers a bundle with an input it cannot stat', async () => {
    const source = join(dir, 'y.capsule.ts')
    writeFileSync(source, 'y')
    await rememberBundle(join(dir, 'cache'), source, 'tools-1', 'key-2', [source, join(dir, 'gone.ts')])
    expect(await rememberedBundle(join(dir, 'cache'), source, 'tools-1')).toBeUndefined()
  })
})
