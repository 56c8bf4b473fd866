// `capsule run` as a user runs it: the JSON line, the readable summary, exit codes 0/1/2,
// the compile cache and one-line reasons for bad input.
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.ts'

const basics = 'fixtures/basics.capsule.ts'

describe('capsule run', () => {
  it('prints exactly one JSON line with --json (the README command)', async () => {
    const { code, stdout } = await runCli(['run', 'examples/hello.capsule.ts', 'World', '--json'])
    expect(code).toBe(0)
    const lines = stdout.split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    const envelope = JSON.parse(lines[0]!)
    expect(envelope.success).toBe(true)
    expect(envelope.result).toContain('World')
    expect(Object.keys(envelope.execution).sort()).toEqual(
      ['duration_ms', 'fuel_consumed', 'host_requests', 'logs', 'ram_used', 'retries', 'task_name'],
    )
  })

  it('passes positional args as strings and --args as JSON values', async () => {
    const strings = await runCli(['run', basics, '--task', 'echo', 'a', '2', '--json'])
    expect(JSON.parse(strings.stdout).result).toEqual(['a', '2'])
    const json = await runCli(['run', basics, '--task', 'add', '--args', '[2,3]', '--json'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout).result).toBe(5)
  })

  it('exits 1 when the task throws, still printing the envelope', async () => {
    const { code, stdout } = await runCli(['run', basics, '--task', 'fail', '--json'])
    expect(code).toBe(1)
    expect(JSON.parse(stdout).error).toMatchObject({ error_type: 'task_error', message: 'Error: the task broke on purpose' })
  })

  it('prints a readable summary without --json', async () => {
    const { code, stdout } = await runCli(['run', basics, 'Ada'])
    expect(code).toBe(0)
    expect(stdout).toContain('main succeeded')
    expect(stdout).toContain('Hello, Ada!')
  })

  it('says fuel and memory were not measured when the task was stopped by its timeout', async () => {
    const { code, stdout } = await runCli(['run', basics, '--task', 'spin'])
    expect(code).toBe(1)
    expect(stdout).toContain('spin failed')
    expect(stdout).toContain('timeout')
    expect(stdout).toContain('fuel and memory not measured (the sandbox was stopped or never started) · retries 0')
    expect(stdout).not.toContain('fuel 0')
  })

  it('reuses the compiled component on a second run (cache hit)', async () => {
    await runCli(['run', basics, 'x', '--json'])
    const { code, stderr } = await runCli(['run', basics, 'x', '--json', '--verbose'])
    expect(code).toBe(0)
    expect(stderr).toMatch(/cache hit/)
    expect(stderr).not.toMatch(/componentizing/)
  })

  it.each([
    ['ram.capsule.ts', 'ram', /'lots'/],
    ['compute.capsule.ts', 'compute', /'FAST'/],
    ['timeout.capsule.ts', 'timeout', /'10 parsecs'/],
    ['unknown-option.capsule.ts', 'speed', /name, compute, ram, timeout/],
  ])('rejects a bad option in %s with exit 2 and one line naming file, option and accepted forms', async (fixture, option, detail) => {
    const { code, stdout, stderr } = await runCli(['run', `fixtures/bad/${fixture}`, '--json'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`fixtures/bad/${fixture}:3:`)
    expect(lines[0]).toContain(option)
    expect(lines[0]).toMatch(detail)
    expect(lines[0]).toMatch(/accepted/)
  })

  it.each([
    [['run', basics, '--task', 'nope'], /unknown task "nope"/],
    [['run', 'fixtures/missing.capsule.ts'], /no such file/],
    [['run', basics, '--args', '[2,'], /--args is not valid JSON/],
    [['run', basics, '--args', '{"a":1}'], /--args must be a JSON array/],
    [['frobnicate'], /unknown command/],
  ])('exits 2 with a one-line reason for bad usage: %j', async (args, reason) => {
    const { code, stderr } = await runCli(args)
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(reason)
  })

  it('answers --help and --version', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('run [file]')
    const version = await runCli(['--version'])
    expect(version.stdout).toMatch(/\d+\.\d+\.\d+/)
  })
})
