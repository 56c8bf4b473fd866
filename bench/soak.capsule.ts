// The soak's guest: a no-op, a CPU-bound loop stopped by its timeout (the worker is killed),
// and one stopped by fuel (a trap: the sandbox is dropped, never reset).
import { task } from 'unplugin-capsule'

let calls = 0

export const noop = task({ name: 'noop' }, () => ++calls)

export const hang = task({ name: 'hang', timeout: '50ms', compute: 'HIGH' }, () => {
  for (;;) {
    // only a terminated worker stops this
  }
})

export const trap = task({ name: 'trap', compute: 1_000_000 }, () => {
  for (;;) {
    // stopped by fuel
  }
})
