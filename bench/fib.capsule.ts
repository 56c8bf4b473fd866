// The bench's guest workload: fib(25), a call-heavy recursion (~250k calls).
import { task } from 'unplugin-capsule'

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2)
}

export const main = task({ name: 'main', compute: 'HIGH' }, (n: number) => fib(n))

export const noop = task({ name: 'noop' }, () => null)
