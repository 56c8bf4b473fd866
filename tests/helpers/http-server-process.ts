// A real HTTP server on 127.0.0.1 in a child process: sandboxed fetch is synchronous on the
// host side, so a server on the caller's own thread could deadlock.
import { spawn, type ChildProcess } from 'node:child_process'

const SERVER = `
const http = require('node:http')
const server = http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ pong: req.url })) })
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'))
`

export interface ServerProcess {
  port: number
  stop(): void
}

export function startServerProcess(): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.stdout!.once('data', (chunk: Buffer) => resolve({ port: Number(String(chunk).trim()), stop: () => child.kill() }))
  })
}
