// A real redis-server for a test file: its own free loopback port and temp dir, stopped after.
// Without redis-server on PATH the queue tests are skipped with a notice — except under CI=true,
// where a missing redis-server is a failure (.ci/run installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REDIS_MISSING_NOTICE = 'redis-server is not installed: the queue tests are SKIPPED. Install it (Debian/Ubuntu: apt-get install -y redis-server) to run them.'

export function hasRedisServer(): boolean {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
  if (!found && process.env.CI === 'true') throw new Error('redis-server is required under CI=true (apt-get install -y redis-server)')
  if (!found) process.stderr.write(`\n⚠ ${REDIS_MISSING_NOTICE}\n\n`)
  return found
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface RedisServer {
  url: string
  port: number
  /** Stops the server and starts it again on the same port and data dir. */
  restart(): Promise<void>
  stop(): Promise<void>
}

/** `persist`: an append-only file synced on every write, so a restart keeps the queue. */
export async function startRedis(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-redis-'))
  const port = await freePort()
  let child = await launch(port, dir, options.persist === true)
  const halt = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      await halt()
      child = await launch(port, dir, options.persist === true)
    },
    async stop() {
      await halt()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function launch(port: number, dir: string, persist: boolean): Promise<ChildProcess> {
  const durability = persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']
  const child: ChildProcess = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...durability, '--daemonize', 'no', '--loglevel', 'warning',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 10_000
    const poll = () => {
      const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' })
      if (ping.stdout?.trim() === 'PONG') return resolve()
      if (child.exitCode !== null || Date.now() > deadline) return reject(new Error(`redis-server did not start on port ${port}: ${output}`))
      setTimeout(poll, 50)
    }
    poll()
  })
  return child
}
