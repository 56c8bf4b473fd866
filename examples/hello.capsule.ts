// The smallest capsule: `npx capsule run examples/hello.capsule.ts World`
import { task } from 'unplugin-capsule'

export const main = task({ name: 'main', timeout: '5s' }, (name: string = 'world') => {
  console.log(`greeting ${name}`)
  return `Hello, ${name}!`
})
