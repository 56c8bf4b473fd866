// Throughput (not a test): the same batch of calls through one local runtime, then through the
// queue (unplugin-capsule/queue) with 1 and 2 `capsule worker` processes, in the same run, on
// a private redis-server. Every side runs the same total concurrency. Needs redis-server.
// `npm run bench:queue`
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRuntime } from '../src/runtime/index.ts'
import { createQueueRuntime } from '../src/queue/index.ts'
import { hasRedisServer, startRedis } from '../tests/helpers/redis.ts'

const CALLS = 200
const WARMUP_CALLS = 20
const CONCURRENCY = 4
const TASK = 'noop'

interface Row { setup: string, seconds: number }

async function timed(run: (i: number) => Promise<{ success: boolean }>, calls = CALLS): Promise<number> {
  const started = performance.now()
  const envelopes = await Promise.all(Array.from({ length: calls }, (_, i) => run(i)))
  const failed = envelopes.filter((e) => !e.success).length
  if (failed > 0) throw new Error(`${failed} calls failed`)
  return (performance.now() - started) / 1000
}

function startWorker(root: string, manifest: string, url: string, queue: string, concurrency: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(root, 'bin', 'capsule.mjs'), 'worker', manifest, '--redis', url, '--queue', queue, '--concurrency', String(concurrency)], { stdio: ['ignore', 'ignore', 'pipe'] })
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      if (stderr.includes('serving ')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${stderr}`)))
  })
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.once('exit', resolve)
    child.kill('SIGTERM')
  })))
}

export async function main(root: string): Promise<void> {
  if (!hasRedisServer()) return
  const out = mkdtempSync(join(tmpdir(), 'capsule-bench-queue-'))
  execFileSync(process.execPath, [join(root, 'bin', 'capsule.mjs'), 'build', join(root, 'bench', 'fib.capsule.ts'), '--out-dir', out], { cwd: root, stdio: 'ignore' })
  const manifest = join(out, 'capsule.manifest.json')
  const redis = await startRedis()
  const rows: Row[] = []
  try {
    const local = createRuntime({ poolSize: CONCURRENCY })
    await timed(() => local.run({ manifest, task: TASK }), WARMUP_CALLS) // warm: workers spawned, engine compiled
    rows.push({ setup: `local runtime (pool ${CONCURRENCY})`, seconds: await timed(() => local.run({ manifest, task: TASK })) })
    await local.close()

    for (const workers of [1, 2]) {
      const queue = `bench-${workers}`
      const children = await Promise.all(Array.from({ length: workers }, () => startWorker(root, manifest, redis.url, queue, CONCURRENCY / workers)))
      const client = createQueueRuntime({ connection: redis.url, queue })
      await timed(() => client.run({ manifest, task: TASK }), WARMUP_CALLS)
      rows.push({ setup: `queue, ${workers} worker process${workers > 1 ? 'es' : ''} (concurrency ${CONCURRENCY / workers}${workers > 1 ? ' each' : ''})`, seconds: await timed(() => client.run({ manifest, task: TASK })) })
      await client.close()
      await stop(children)
    }
  } finally {
    await redis.stop()
  }
  const base = rows[0]!.seconds
  console.log(`\n${CALLS} concurrent calls of \`${TASK}\` (after ${WARMUP_CALLS} warm-up calls each), same run:\n`)
  console.log('| setup | calls/s | vs local |')
  console.log('|---|---:|---:|')
  for (const row of rows) console.log(`| ${row.setup} | ${Math.round(CALLS / row.seconds)} | ${(base / row.seconds).toFixed(2)}× |`)
}
