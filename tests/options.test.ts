import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  COMPUTE_FUEL,
  KNOWN_OPTIONS,
  MAX_RAM,
  MAX_TIMEOUT,
  OptionError,
  computeLevelOf,
  formatBytes,
  formatDuration,
  normalizeRelative,
  parseAllowedFiles,
  parseAllowedHosts,
  parseBytes,
  parseCompute,
  parseDuration,
  parseEnvVariables,
  parseMaxRetries,
  parseName,
  resolveDefaults,
  resolveTaskOptions,
  show,
} from '../src/options/index.ts'

/** Runs `fn`, expects an OptionError, returns it. */
function optionError(fn: () => unknown): OptionError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(OptionError)
    return error as OptionError
  }
  throw new Error('expected an OptionError')
}

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'capsule-options-'))
  mkdirSync(join(root, 'data/nested'), { recursive: true })
  mkdirSync(join(root, 'out'))
  writeFileSync(join(root, 'file.txt'), 'x')
  const outside = mkdtempSync(join(tmpdir(), 'capsule-outside-'))
  symlinkSync(outside, join(root, 'link-out'))
  symlinkSync(join(root, 'data'), join(root, 'link-in'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('name', () => {
  it.each(['main', '_x', 'a-b_c9', 'A'])('accepts %j', (value) => {
    expect(parseName(value)).toBe(value)
  })
  it.each([undefined, '', '9a', '-a', 'a b', 'a.b', 'é', 42, null])('rejects %j', (value) => {
    const error = optionError(() => parseName(value))
    expect(error.option).toBe('name')
    expect(error.message).toMatch(/^option "name": /)
    expect(error.message).toContain('accepted: a string matching /^[A-Za-z_][A-Za-z0-9_-]*$/')
  })
  it('says a missing name is required', () => {
    expect(optionError(() => parseName(undefined)).message).toContain('it is required')
  })
})

describe('compute', () => {
  it.each([
    ['LOW', 100_000_000],
    ['medium', 2_000_000_000],
    ['High', 50_000_000_000],
    [1, 1],
    [123_456_789, 123_456_789],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('%j → %d fuel', (value, fuel) => {
    expect(parseCompute(value)).toBe(fuel)
  })
  it.each(['FAST', '', ' LOW', '1000', 0, -1, 1.5, Number.NaN, Infinity, 2 ** 60, null, true, ['LOW']])('rejects %j', (value) => {
    const error = optionError(() => parseCompute(value))
    expect(error.option).toBe('compute')
    expect(error.message).toContain("accepted: 'LOW' (100M fuel), 'MEDIUM' (2G fuel, the default) or 'HIGH'")
  })
  it('quotes the bad value', () => {
    expect(optionError(() => parseCompute('FAST')).message).toBe(
      `option "compute": 'FAST' is not a compute level; accepted: 'LOW' (100M fuel), 'MEDIUM' (2G fuel, the default) or 'HIGH' (50G fuel), in any case, or a positive integer: the exact fuel`,
    )
  })
  it('maps fuel back to a level', () => {
    expect(computeLevelOf(COMPUTE_FUEL.HIGH)).toBe('HIGH')
    expect(computeLevelOf(5)).toBeNull()
  })
})

describe('ram', () => {
  it.each([
    ['512KB', 512 * 1024],
    ['64MB', 64 * 1024 ** 2],
    ['64mb', 64 * 1024 ** 2],
    ['64MiB', 64 * 1024 ** 2],
    ['64mib', 64 * 1024 ** 2],
    ['64M', 64 * 1024 ** 2],
    ['1.5GB', 1.5 * 1024 ** 3],
    ['1.1MB', Math.floor(1.1 * 1024 ** 2)],
    ['.5KiB', 512],
    ['100B', 100],
    ['2 k', 2048],
    ['4GiB', MAX_RAM],
    ['0.001KB', 1],
    [1, 1],
    [65536, 65536],
    [MAX_RAM, MAX_RAM],
  ])('%j → %d bytes', (value, bytes) => {
    expect(parseBytes(value)).toBe(bytes)
  })
  it.each([
    ['lots', 'is not a valid size'],
    ['', 'is not a valid size'],
    ['64', 'is not a valid size'],
    ['64XB', "unknown unit 'XB'"],
    ['64TB', "unknown unit 'TB'"],
    ['-1MB', 'is not a valid size'],
    ['1.MB', 'is not a valid size'],
    ['0MB', 'less than one byte'],
    ['0.0001KB', 'less than one byte'],
    ['5GB', 'more than 4GiB'],
    ['4.000001GiB', 'more than 4GiB'],
    [MAX_RAM + 1, 'more than 4GiB'],
    [0, 'not a positive integer'],
    [-5, 'not a positive integer'],
    [1.5, 'not a positive integer'],
    [Number.NaN, 'not a positive integer'],
    [null, 'is null, not a size'],
    [true, 'is a boolean, not a size'],
  ])('rejects %j (%s)', (value, reason) => {
    const error = optionError(() => parseBytes(value))
    expect(error.option).toBe('ram')
    expect(error.message).toContain(reason)
    expect(error.message).toContain("accepted: a byte count or a string like '512KB', '64MB', '1.5GB', '64MiB'")
  })
  it('has the documented message', () => {
    expect(optionError(() => parseBytes('lots')).message).toMatch(/^option "ram": 'lots' is not a valid size; accepted: a byte count/)
  })
  it.each([
    [100, '100 B'],
    [2048, '2 KiB'],
    [64 * 1024 ** 2, '64 MiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
  ])('formats %d as %s (parseable)', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
    expect(parseBytes(text)).toBe(bytes)
  })
})

describe('timeout', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1m 30s', 90_000],
    ['1.5s', 1500],
    ['0.25h', 900_000],
    ['.5s', 500],
    ['0.5ms', 1],
    ['30S', 30_000],
    [1, 1],
    [1500, 1500],
    [0.2, 1],
    [MAX_TIMEOUT, MAX_TIMEOUT],
  ])('%j → %d ms', (value, ms) => {
    expect(parseDuration(value)).toBe(ms)
  })
  it.each([
    ['10 parsecs', 'is not a valid duration'],
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['30', 'has no unit'],
    ['-5s', 'is not a valid duration'],
    ['0s', 'not a positive duration'],
    ['30s1m', 'in the order h, m, s, ms'],
    ['1s1s', 'in the order h, m, s, ms'],
    ['1m30', 'is not a valid duration'],
    ['5 minutes', 'is not a valid duration'],
    ['1d', 'is not a valid duration'],
    ['1000h', 'longer than'],
    [0, 'not a positive number'],
    [-1, 'not a positive number'],
    [Number.NaN, 'not a positive number'],
    [Infinity, 'not a positive number'],
    [MAX_TIMEOUT + 1, 'longer than'],
    [null, 'is null, not a duration'],
    [['1s'], 'is an array, not a duration'],
  ])('rejects %j (%s)', (value, reason) => {
    const error = optionError(() => parseDuration(value))
    expect(error.option).toBe('timeout')
    expect(error.message).toContain(reason)
    expect(error.message).toContain("accepted: a positive number of milliseconds or a string like '500ms', '30s', '5m', '1h', '1m30s'")
  })
  it('quotes the bad value', () => {
    expect(optionError(() => parseDuration('10 parsecs')).message).toMatch(/^option "timeout": '10 parsecs' is not a valid duration; accepted: /)
  })
  it.each([
    [500, '500ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_723_004, '1h2m3s4ms'],
  ])('formats %d as %s (parseable)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
    expect(parseDuration(text)).toBe(ms)
  })
})

describe('maxRetries', () => {
  it.each([0, 1, 10])('accepts %j', (value) => {
    expect(parseMaxRetries(value)).toBe(value)
  })
  it.each([-1, 11, 1.5, '3', null, Number.NaN])('rejects %j', (value) => {
    const error = optionError(() => parseMaxRetries(value))
    expect(error.option).toBe('maxRetries')
    expect(error.message).toContain('accepted: an integer from 0 to 10')
  })
})

describe('allowedFiles', () => {
  it.each([
    [['data'], [{ path: 'data', mode: 'rw' }]],
    [['./data/'], [{ path: 'data', mode: 'rw' }]],
    [['data/nested'], [{ path: 'data/nested', mode: 'rw' }]],
    [['data\\nested'], [{ path: 'data/nested', mode: 'rw' }]],
    [['data/../out'], [{ path: 'out', mode: 'rw' }]],
    [['.'], [{ path: '.', mode: 'rw' }]],
    [['./'], [{ path: '.', mode: 'rw' }]],
    [['link-in'], [{ path: 'link-in', mode: 'rw' }]],
    [[{ path: 'data', mode: 'read-only' }], [{ path: 'data', mode: 'ro' }]],
    [[{ path: 'data', mode: 'ro' }], [{ path: 'data', mode: 'ro' }]],
    [[{ path: 'data', mode: 'read-write' }], [{ path: 'data', mode: 'rw' }]],
    [[{ path: 'data', mode: 'rw' }], [{ path: 'data', mode: 'rw' }]],
    [[{ path: 'data' }], [{ path: 'data', mode: 'rw' }]],
    [['data', './data', { path: 'data', mode: 'rw' }], [{ path: 'data', mode: 'rw' }]],
    [['data', { path: 'out', mode: 'ro' }], [{ path: 'data', mode: 'rw' }, { path: 'out', mode: 'ro' }]],
    [[], []],
  ])('%j', (value, grants) => {
    expect(parseAllowedFiles(value, root)).toEqual(grants)
  })
  it.each([
    [['/etc'], 'is an absolute path', [0]],
    [['C:\\x'], 'is an absolute path', [0]],
    [['\\\\server\\share'], 'is an absolute path', [0]],
    [['../'], 'escapes the project root', [0]],
    [['..'], 'escapes the project root', [0]],
    [['a/../../b'], 'escapes the project root', [0]],
    [['data', 'missing'], 'does not exist under the project root', [1]],
    [['file.txt'], 'is a file, not a directory', [0]],
    [['link-out'], 'outside the project root through a symbolic link', [0]],
    [[''], 'is an empty path', [0]],
    [[{ path: '/etc', mode: 'ro' }], 'is an absolute path', [0, 'path']],
    [[{ path: 'data', mode: 'write' }], "is not 'read-only', 'ro', 'read-write' or 'rw'", [0, 'mode']],
    [[{ path: 'data', mode: 'toString' }], "is not 'read-only', 'ro', 'read-write' or 'rw'", [0, 'mode']],
    [[{ path: 'data', recursive: true }], "unknown key 'recursive'", [0, 'recursive']],
    [[{ mode: 'ro' }], "has no 'path'", [0]],
    [[{ path: 3 }], 'is a number, not a string', [0, 'path']],
    [[3], 'is a number, not a string or { path, mode }', [0]],
    [[null], 'is null, not a string or { path, mode }', [0]],
    [['data', { path: 'data', mode: 'ro' }], 'listed twice with different modes', [1]],
    ['data', 'is a string, not an array', []],
  ])('rejects %j (%s)', (value, reason, path) => {
    const error = optionError(() => parseAllowedFiles(value, root))
    expect(error.option).toBe('allowedFiles')
    expect(error.message).toContain(reason)
    expect(error.message).toContain('accepted: an array of directories relative to the project root')
    expect(error.path).toEqual(path)
  })
  it.each([
    ['a/b/', 'a/b'],
    ['./a//./b', 'a/b'],
    ['a/..', '.'],
    ['a/../..', null],
  ])('normalizes %j to %j', (input, output) => {
    expect(normalizeRelative(input)).toBe(output)
  })
})

describe('allowedHosts', () => {
  it.each([
    [['api.x.com'], ['api.x.com']],
    [['API.X.com'], ['api.x.com']],
    [['api.x.com.'], ['api.x.com']],
    [['*.x.com'], ['*.x.com']],
    [['*'], ['*']],
    [['*:443'], ['*:443']],
    [['localhost:8080'], ['localhost:8080']],
    [['x.com:0443'], ['x.com:443']],
    [['127.0.0.1'], ['127.0.0.1']],
    [['10.0.0.1:3000'], ['10.0.0.1:3000']],
    [['[::1]'], ['[::1]']],
    [['[0:0:0:0:0:0:0:1]:8080'], ['[::1]:8080']],
    [['[2001:DB8::1]'], ['[2001:db8::1]']],
    [['_dmarc.x.com'], ['_dmarc.x.com']],
    [['bücher.de'], ['xn--bcher-kva.de']],
    [['a.com', 'A.com', 'a.com.'], ['a.com']],
    [[], []],
  ])('%j → %j', (value, rules) => {
    expect(parseAllowedHosts(value)).toEqual(rules)
  })
  it.each([
    ['https://x.com', 'has a scheme'],
    ['x.com/path', 'has a path'],
    ['*x.com', "misplaced '*'"],
    ['a.*.com', "misplaced '*'"],
    ['*.*.com', "misplaced '*'"],
    ['x*', "misplaced '*'"],
    ['a..com', 'empty label'],
    ['.x.com', 'empty label'],
    ['x.com..', 'empty label'],
    ['', 'is empty'],
    ['x .com', 'contains whitespace'],
    [' x.com', 'contains whitespace'],
    ['x.com:', 'invalid port'],
    ['x.com:0', 'invalid port'],
    ['x.com:65536', 'invalid port'],
    ['x.com:http', 'invalid port'],
    ['::1', "several ':'"],
    ['[::1', "unclosed '['"],
    ['[nope]', 'not a valid IPv6 address'],
    ['[::1]x', "unexpected text after ']'"],
    ['256.0.0.1', 'not a valid IPv4 address'],
    ['1.2.3', 'not a valid IPv4 address'],
    ['01.2.3.4', 'not a valid IPv4 address'],
    ['*.1.2.3.4', 'not a valid IPv4 address'],
    ['-x.com', 'invalid label'],
    ['x-.com', 'invalid label'],
    ['user@x.com', 'user info'],
    [`${'a'.repeat(64)}.com`, 'invalid label'],
  ])('rejects %j (%s)', (entry, reason) => {
    const error = optionError(() => parseAllowedHosts(['ok.com', entry]))
    expect(error.option).toBe('allowedHosts')
    expect(error.path).toEqual([1])
    expect(error.value).toBe(entry)
    expect(error.message).toContain(reason)
    expect(error.message).toContain("accepted: an array of hosts: 'api.x.com', '*.x.com' (wildcard only as the whole first label), '*'")
  })
  it.each(['x', null, { host: 'x' }])('rejects a non-array %j', (value) => {
    expect(optionError(() => parseAllowedHosts(value)).message).toContain('not an array')
  })
  it('rejects non-string entries', () => {
    expect(optionError(() => parseAllowedHosts([1])).message).toContain('is a number, not a string')
  })
})

describe('envVariables', () => {
  it.each([
    [['API_KEY', '_x', 'a1'], ['API_KEY', '_x', 'a1']],
    [['A', 'A'], ['A']],
    [[], []],
  ])('%j → %j', (value, names) => {
    expect(parseEnvVariables(value)).toEqual(names)
  })
  it.each([[['1A']], [['A-B']], [['']], [['A B']], [[1]], ['API_KEY'], [null]])('rejects %j', (value) => {
    const error = optionError(() => parseEnvVariables(value))
    expect(error.option).toBe('envVariables')
    expect(error.message).toContain('accepted: an array of environment variable names matching /^[A-Za-z_][A-Za-z0-9_]*$/')
  })
})

describe('resolveTaskOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveTaskOptions({ name: 'main' }, { root })).toEqual({
      name: 'main', fuel: 2_000_000_000, ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [],
    })
  })
  it('resolves every option', () => {
    expect(
      resolveTaskOptions(
        {
          name: 'fetcher',
          compute: 'low',
          ram: '64MB',
          timeout: '1m30s',
          maxRetries: 2,
          allowedFiles: ['data', { path: 'out', mode: 'read-only' }],
          allowedHosts: ['API.example.com', '*.cdn.net:443'],
          envVariables: ['TOKEN'],
        },
        { root },
      ),
    ).toEqual({
      name: 'fetcher',
      fuel: 100_000_000,
      ram: 64 * 1024 ** 2,
      timeout: 90_000,
      maxRetries: 2,
      files: [{ path: 'data', mode: 'rw' }, { path: 'out', mode: 'ro' }],
      hosts: ['api.example.com', '*.cdn.net:443'],
      env: ['TOKEN'],
    })
  })
  it('treats undefined values as absent', () => {
    expect(resolveTaskOptions({ name: 'a', ram: undefined }, { root }).ram).toBeNull()
  })
  it('rejects unknown options, listing the known ones and a suggestion', () => {
    const error = optionError(() => resolveTaskOptions({ name: 'a', timout: '1s' }, { root }))
    expect(error.option).toBe('timout')
    expect(error.message).toBe(
      `option "timout": not a known option (did you mean "timeout"?); accepted: the options ${KNOWN_OPTIONS.join(', ')}`,
    )
    expect(optionError(() => resolveTaskOptions({ name: 'a', color: 'red' }, { root })).message).not.toContain('did you mean')
  })
  it('rejects a missing name', () => {
    const error = optionError(() => resolveTaskOptions({ compute: 'LOW' }, { root }))
    expect(error.option).toBe('name')
    expect(error.message).toContain('it is required')
  })
  it.each([null, 'main', ['main'], 42])('rejects non-object options %j', (value) => {
    const error = optionError(() => resolveTaskOptions(value, { root }))
    expect(error.option).toBe('options')
    expect(error.message).toContain('must be an object')
  })
  it.each([
    [{ name: 'a', allowedHosts: 'x.com' }, 'allowedHosts', 'not an array'],
    [{ name: 'a', allowedFiles: 'data' }, 'allowedFiles', 'not an array'],
    [{ name: 'a', envVariables: 'HOME' }, 'envVariables', 'not an array'],
    [{ name: 'a', ram: 'lots' }, 'ram', "'lots' is not a valid size"],
    [{ name: 'a', ram: null }, 'ram', 'is null, not a size'],
    [{ name: 'a', compute: 'FAST' }, 'compute', "'FAST' is not a compute level"],
    [{ name: 'a', timeout: '10 parsecs' }, 'timeout', "'10 parsecs' is not a valid duration"],
    [{ name: 'a', maxRetries: 11 }, 'maxRetries', 'from 0 to 10'],
  ])('rejects %j', (raw, option, reason) => {
    const error = optionError(() => resolveTaskOptions(raw, { root }))
    expect(error.option).toBe(option)
    expect(error.message).toContain(`option "${option}": `)
    expect(error.message).toContain(reason)
    expect(error.message).toContain('; accepted: ')
  })

  describe('defaults', () => {
    it('apply under the task options; the task wins per option', () => {
      const policy = resolveTaskOptions(
        { name: 'a', ram: '1MB', allowedHosts: ['b.com'] },
        { root, defaults: { ram: '64MB', timeout: '5s', allowedHosts: ['a.com'], compute: 'HIGH' } },
      )
      expect(policy).toMatchObject({ ram: 1024 ** 2, timeout: 5000, hosts: ['b.com'], fuel: COMPUTE_FUEL.HIGH })
    })
    it('are validated even when overridden', () => {
      // @ts-expect-error a bad value on purpose: the build-time check is what is tested
      const error = optionError(() => resolveTaskOptions({ name: 'a', ram: '1MB' }, { root, defaults: { ram: 'lots' } }))
      expect(error.scope).toBe('defaults')
      expect(error.message).toMatch(/^option "ram" \(in defaults\): 'lots' is not a valid size; accepted: /)
    })
    it('cannot hold a name or unknown options', () => {
      expect(optionError(() => resolveDefaults({ name: 'x' }, { root })).message).toContain('a task name cannot be a default')
      expect(optionError(() => resolveDefaults({ timout: 1 }, { root })).message).toContain('did you mean "timeout"')
    })
    it('resolve alone', () => {
      expect(resolveDefaults({ maxRetries: 3, envVariables: ['A'] }, { root })).toMatchObject({ maxRetries: 3, env: ['A'] })
    })
  })
})

describe('show', () => {
  it.each([
    ['lots', "'lots'"],
    ["it's", "'it\\'s'"],
    ['a\nb', "'a\\nb'"],
    [1, '1'],
    [null, 'null'],
    [undefined, 'undefined'],
    [10n, '10n'],
    [[1, 'a'], '[1,"a"]'],
    [{ a: 1 }, '{"a":1}'],
  ])('%# → %s', (value, text) => {
    expect(show(value)).toBe(text)
  })
})
