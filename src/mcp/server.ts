// The MCP server of `capsule mcp`: the official SDK's low-level Server (its high-level
// registerTool takes only zod schemas, and ours are JSON Schemas derived from TypeScript types)
// answering tools/list and tools/call over stdio. Each call runs in a fresh sandbox.
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js'
import type { CapsuleTool } from './tool.ts'
import { envelopeResult, invalidInputResult } from './tool-result.ts'

export interface ServeOptions {
  name: string
  version: string
  /** The tools, once known: the server answers `initialize` at once, while task modules may still compile. */
  tools: Promise<CapsuleTool[]>
}

/* eslint-disable @typescript-eslint/no-deprecated -- the low-level Server on purpose (see above) */
export function createMcpServer(options: ServeOptions): Server {
  const byName = options.tools.then((tools) => new Map(tools.map((tool) => [tool.name, tool])))
  byName.catch(() => {}) // serveStdio reports the failure
  const server = new Server({ name: options.name, version: options.version }, { capabilities: { tools: {} } })
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await options.tools).map(({ name, description, inputSchema }) => ({ name, description, inputSchema: inputSchema as { type: 'object' } })),
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tools = await byName
    const tool = tools.get(request.params.name)
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool "${request.params.name}" (tools: ${[...tools.keys()].join(', ')})`)
    // A cancelled request stops its sandbox (answered as a timeout, which the client ignores).
    const answer = await tool.call(request.params.arguments, extra.signal)
    return typeof answer === 'string' ? invalidInputResult(answer) : envelopeResult(answer)
  })
  return server
}

/**
 * Serves the tools on stdin/stdout until stdin ends; then `onClose` runs and the promise
 * resolves. When the tools cannot be made (a task module does not compile), the server closes
 * and the promise rejects with that error.
 */
export async function serveStdio(options: ServeOptions, onClose: () => Promise<void>): Promise<void> {
  const server = createMcpServer(options)
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve
    process.stdin.once('end', () => void server.close())
    process.stdin.once('close', () => void server.close())
  })
  await server.connect(new StdioServerTransport())
  try {
    await options.tools
  } catch (error) {
    await server.close()
    await onClose()
    throw error
  }
  await closed
  await onClose()
}
