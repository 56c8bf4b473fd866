// createSession(): state that persists across runs in one sandbox, isolation between sessions,
// a workspace folder per session, and a session lost (and said so) after a run hits its limit.
import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSession, type Session } from 'unplugin-capsule/runtime'

const open: Session[] = []
const session = (options?: Parameters<typeof createSession>[0]) => {
  const made = createSession(options)
  open.push(made)
  return made
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((made) => made.close()))
})

describe('createSession', () => {
  it('keeps variables, let/const bindings and functions across runs', async () => {
    const s = session()
    expect(await s.run('var x = 41; const twice = (n) => n * 2; x')).toMatchObject({ success: true, result: 41 })
    expect(await s.run('let y = await Promise.resolve(1)\nx += y')).toMatchObject({ success: true, result: 42 })
    expect(await s.run('twice(x) + y')).toMatchObject({ success: true, result: 85 })
  })

  it('never shares state between two sessions', async () => {
    const a = session()
    const b = session()
    await a.run('var x = "from a"')
    await b.run('var x = "from b"')
    expect(await a.run('x')).toMatchObject({ result: 'from a' })
    expect(await b.run('x')).toMatchObject({ result: 'from b' })
    expect(await session().run('typeof x')).toMatchObject({ result: 'undefined' })
  })

  it('round-trips a file through its workspace, mounted as workspace/, and refuses escapes', async () => {
    const s = session()
    const dir = mkdtempSync(join(tmpdir(), 'capsule-test-session-io-'))
    writeFileSync(join(dir, 'in.csv'), 'a,b\n1,2\n')
    expect(await s.importFile(join(dir, 'in.csv'), 'data/in.csv')).toBe('workspace/data/in.csv')
    const envelope = await s.run(`
      const rows = fs.readFileSync('workspace/data/in.csv', 'utf8').trim().split('\\n')
      fs.writeFileSync('workspace/out.json', JSON.stringify({ rows: rows.length }))
      fs.readdirSync('workspace')`)
    expect(envelope).toMatchObject({ success: true, result: ['data', 'out.json'] })
    expect(existsSync(join(s.workspace, 'out.json'))).toBe(true)
    await s.exportFile('out.json', join(dir, 'exported.json'))
    expect(JSON.parse(readFileSync(join(dir, 'exported.json'), 'utf8'))).toEqual({ rows: 2 })
    await expect(s.importFile(join(dir, 'in.csv'), '../escape.csv')).rejects.toThrow(/relative to the workspace/)
    await expect(s.exportFile('/etc/passwd', join(dir, 'x'))).rejects.toThrow(/relative to the workspace/)
    // Outside its workspace the sandbox sees nothing.
    expect(await s.run(`fs.readFileSync(${JSON.stringify(join(dir, 'in.csv'))}, 'utf8')`)).toMatchObject({ error: { error_type: 'permission_denied' } })
  })

  it('removes its workspace on close (and with await using)', async () => {
    const s = createSession()
    const { workspace } = s
    expect(existsSync(workspace)).toBe(true)
    await s.run('fs.writeFileSync("workspace/left.txt", "x")')
    await s.close()
    expect(existsSync(workspace)).toBe(false)
    await expect(s.run('1')).rejects.toThrow(/the session is closed/)
    const t = createSession()
    await t[Symbol.asyncDispose]()
    expect(existsSync(t.workspace)).toBe(false)
  })

  it('loses its state when a run times out, says so on the next run, and starts afresh after reset()', async () => {
    // A budget no loop uses up in 3 s, so the wall-clock timeout is what stops it (HIGH's 50G fuel
    // lasts only ~2.4 s on Node 24 once V8 has optimized the engine).
    const s = session({ timeout: '3s', compute: 10_000_000_000_000 })
    expect(await s.run('var x = 1; x')).toMatchObject({ success: true, result: 1 })
    expect(await s.run('while (true) {}')).toMatchObject({ success: false, error: { error_type: 'timeout' } })
    const lost = await s.run('x')
    expect(lost).toMatchObject({ success: false, error: { error_type: 'internal_error' } })
    expect(lost.error?.message).toMatch(/the session was lost: a run ended with timeout.*call session\.reset\(\)/)
    await s.reset()
    expect(await s.run('typeof x')).toMatchObject({ success: true, result: 'undefined' })
  })

  it('ends the sandbox when a run runs out of fuel', async () => {
    const s = session({ compute: 'LOW', timeout: '60s' })
    expect(await s.run('for (;;) {}')).toMatchObject({ error: { error_type: 'fuel_exhausted' } })
    expect((await s.run('1')).error?.message).toMatch(/session was lost: a run ended with fuel_exhausted/)
  })
})
