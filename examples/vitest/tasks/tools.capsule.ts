// Agent tools as they would run in production: each call in a fresh sandbox, under its limits.
import { task } from 'unplugin-capsule'

/** Pure computation: deterministic, so its fuel is the same on every run and every machine. */
export const fibonacci = task({ name: 'fibonacci', compute: 'low', ram: '64MB' }, (n: number): number => {
  let [a, b] = [0, 1]
  for (let i = 0; i < n; i++) [a, b] = [b, a + b]
  return a
})

/** Reads a page from the one host it may reach, and logs what it does. */
export const fetchStatus = task({ name: 'fetchStatus', allowedHosts: ['127.0.0.1'] }, async (url: string) => {
  console.info(`GET ${url}`)
  const response = await fetch(url)
  return { status: response.status, body: await response.text() }
})

/** Validates its input the way a tool should: by throwing. */
export const parsePrice = task({ name: 'parsePrice' }, (text: string) => {
  const price = Number(text.replace(/^\$/, ''))
  if (!Number.isFinite(price)) {
    console.warn(`cannot parse ${JSON.stringify(text)}`)
    throw new TypeError(`not a price: ${text}`)
  }
  return price
})

/** Fails on every attempt; retried twice, each time in a fresh sandbox. */
export const flaky = task({ name: 'flaky', maxRetries: 2 }, () => {
  throw new Error('the upstream is down')
})

/** Busy for `ms` milliseconds of wall time. */
export const busy = task({ name: 'busy', compute: 'high' }, (ms: number) => {
  const end = Date.now() + ms
  let spins = 0
  while (Date.now() < end) spins++
  return spins > 0
})
