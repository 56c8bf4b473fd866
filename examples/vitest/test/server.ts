// A tiny HTTP server for the tests, in a worker thread: the sandbox's HTTP client is synchronous,
// so a server on the test's own thread could never answer it.
import { Worker } from 'node:worker_threads'

const SERVER = `
  const { createServer } = require('node:http')
  const { parentPort } = require('node:worker_threads')
  const server = createServer((request, response) => response.end('pong ' + request.url))
  server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port))
  parentPort.on('message', () => server.close(() => process.exit(0)))
`

export async function startServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const worker = new Worker(SERVER, { eval: true })
  const port = await new Promise<number>((resolve) => worker.once('message', resolve))
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      worker.postMessage('close')
      await new Promise((resolve) => worker.once('exit', resolve))
    },
  }
}
