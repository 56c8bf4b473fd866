// The guest's `node:path`: POSIX paths from pathe (guest paths are always POSIX).
export * from 'pathe'
export { default } from 'pathe'
