// Terminal escapes from a task in the CLI's readable summary (issue #10 item 10): logs and an
// error message full of ESC sequences (clear screen, OSC 52 clipboard write, a forged "✔")
// and C1 controls must reach the terminal as visible text, never as control characters.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { makeProject } from './helpers/project.ts'

const root = makeProject('security-cli', {
  'capsule.config.json': JSON.stringify({ cacheDir: join(REPO_ROOT, 'node_modules/.cache/capsule') }),
  'out/pub/public.txt': 'public', // the fixture's grants must exist
}, { 'attacks.capsule.ts': join(REPO_ROOT, 'fixtures/security/attacks.capsule.ts') })

// Every control character but the newline, plus the 8-bit CSI.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

describe('the readable summary', () => {
  it('prints control characters from a task as visible escapes', async () => {
    const run = await runCli(['run', 'attacks.capsule.ts', '--task', 'escapes'], { cwd: root })
    expect(run.code).toBe(1)
    expect(run.stdout).not.toMatch(CONTROL)
    expect(run.stdout).toContain('\\x1b[2J')
    expect(run.stdout).toContain('\\x1b]52;c;cHduZWQ=\\x07copied')
    expect(run.stdout).toContain('\\x9b31m')
    // The only ✔/✖ at the start of a line is the CLI's own verdict.
    expect(run.stdout.split('\n').filter((line) => /^[✔✖]/.test(line))).toHaveLength(1)
  }, 600_000)

  it('--json keeps the exact text (JSON escapes it)', async () => {
    const run = await runCli(['run', 'attacks.capsule.ts', '--task', 'escapes', '--json'], { cwd: root })
    const envelope = JSON.parse(run.stdout) as { execution: { logs: { message: string }[] } }
    expect(envelope.execution.logs[0]?.message).toBe('\x1b[2J\x1b[H\x1b[32m✔\x1b[0m main succeeded')
  }, 600_000)
})
