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
  tools: CapsuleTool[]
}

export function createMcpServer(options: ServeOptions): Server {
  const byName = new Map(options.tools.map((tool) => [tool.name, tool]))
  const server = new Server({ name: options.name, version: options.version }, { capabilities: { tools: {} } })
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: options.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema: inputSchema as { type: 'object' } })),
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = byName.get(request.params.name)
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool "${request.params.name}" (tools: ${[...byName.keys()].join(', ')})`)
    const answer = await tool.call(request.params.arguments)
    return typeof answer === 'string' ? invalidInputResult(answer) : envelopeResult(answer)
  })
  return server
}

/** Serves the tools on stdin/stdout until stdin ends; then `onClose` runs and the promise resolves. */
export async function serveStdio(options: ServeOptions, onClose: () => Promise<void>): Promise<void> {
  const server = createMcpServer(options)
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve
    process.stdin.once('end', () => void server.close())
    process.stdin.once('close', () => void server.close())
  })
  await server.connect(new StdioServerTransport())
  await closed
  await onClose()
}
