// `capsule mcp`: the SDK's own MCP client talks over stdio to the real `capsule mcp` process,
// serving a built manifest's tasks (schemas derived from their TypeScript types) and --eval.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { REPO_ROOT, runCli } from './helpers/cli.ts'

const BIN = fileURLToPath(new URL('../bin/capsule.mjs', import.meta.url))

async function connect(args: string[], cwd = REPO_ROOT): Promise<Client> {
  const client = new Client({ name: 'capsule-test', version: '1.0.0' })
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', ...args], cwd, stderr: 'inherit' }))
  return client
}

const textOf = (result: Record<string, unknown>) => (result.content as { type: string; text: string }[])[0]!.text

describe('capsule mcp <manifest>', () => {
  let client: Client

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'capsule-test-mcp-'))
    const built = await runCli(['build', 'fixtures/agents/tools.capsule.ts', '--out-dir', out])
    expect(built.code, built.stderr).toBe(0)
    client = await connect([join(out, 'capsule.manifest.json')])
  })
  afterAll(() => client?.close())

  it('lists every task as a tool with its JSDoc and an input schema from its parameter types', async () => {
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toEqual(['add', 'greet', 'explode', 'norm'])
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]))
    expect(byName.add).toMatchObject({
      description: 'Adds two numbers.',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number', description: 'the first number' }, b: { type: 'number', description: 'the second number' } },
        required: ['a', 'b'],
      },
    })
    expect(byName.greet!.inputSchema).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, tone: { enum: ['plain', 'loud'] } },
      required: ['name'],
    })
    // A named type is not plain: the input is an `args` array of JSON values.
    expect(byName.norm!.inputSchema).toMatchObject({ type: 'object', properties: { args: { type: 'array' } }, required: ['args'] })
    expect(byName.norm!.description).toMatch(/Runs the task "norm"/)
  })

  it('calls a task: the envelope as structured content plus a short text', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })
    expect(result.isError).toBe(false)
    expect(result.structuredContent).toMatchObject({ success: true, result: 5, error: null, execution: { task_name: 'add' } })
    expect(textOf(result)).toBe('5')
    const greeted = await client.callTool({ name: 'greet', arguments: { name: 'Ada', tone: 'loud' } })
    expect(greeted).toMatchObject({ structuredContent: { result: 'HELLO, ADA!' } })
    expect(textOf(greeted)).toBe('HELLO, ADA!')
    expect(await client.callTool({ name: 'norm', arguments: { args: [{ x: 3, y: 4 }] } })).toMatchObject({ structuredContent: { result: 5 } })
  })

  it('answers a failed envelope with isError, the error type and message', async () => {
    const result = await client.callTool({ name: 'explode', arguments: { reason: 'on purpose' } })
    expect(result.isError).toBe(true)
    expect(result.structuredContent).toMatchObject({ success: false, error: { error_type: 'task_error' } })
    expect(textOf(result)).toMatch(/^task_error: .*exploded: on purpose/)
  })

  it('refuses an input that does not fit without running the task', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 2 } })
    expect(result).toMatchObject({ isError: true })
    expect(textOf(result)).toBe('invalid_input: missing required input "b"')
  })
})

describe('capsule mcp --eval', () => {
  let client: Client

  beforeAll(async () => {
    // 10^13 fuel: the 5 s timeout, not the budget, stops the endless loop below (HIGH's 50G fuel
    // lasts only ~2.4–5.5 s on Node 24).
    client = await connect(['--eval', '--timeout', '5s', '--compute', '10000000000000'], mkdtempSync(join(tmpdir(), 'capsule-test-mcp-eval-')))
  })
  afterAll(() => client?.close())

  it('offers execute_javascript with its limits in the description and runs code strings', async () => {
    const { tools } = await client.listTools()
    expect(tools).toHaveLength(1)
    expect(tools[0]).toMatchObject({ name: 'execute_javascript', inputSchema: { properties: { code: { type: 'string' } }, required: ['code'] } })
    expect(tools[0]!.description).toMatch(/timeout 5s; memory 64 ?MiB.*network: none/)
    const result = await client.callTool({ name: 'execute_javascript', arguments: { code: 'console.log("hi"); [1,2,3].map(x => x * 2)' } })
    expect(result).toMatchObject({ isError: false, structuredContent: { success: true, result: [2, 4, 6] } })
    expect(textOf(result)).toBe('[2,4,6]\n\nconsole:\n[log] hi')
  })

  it('applies the command line limits: an endless loop is stopped by the 5 s timeout', async () => {
    const result = await client.callTool({ name: 'execute_javascript', arguments: { code: 'while(true){}' } })
    expect(result).toMatchObject({ isError: true, structuredContent: { success: false, error: { error_type: 'timeout' } } })
  })

  it('exits 2 with a one-line reason when a limit is invalid', async () => {
    const { code, stderr } = await runCli(['mcp', '--eval', '--ram', 'lots'])
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/option "ram"/)
  })
})
