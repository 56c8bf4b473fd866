// wasi:io streams/error and wasi:cli/stderr. With the stdio feature off the guest has no
// stdout; anything the engine still writes to stderr (e.g. internal warnings) becomes log lines.
import { Pollable } from './poll.ts'

export class IoError {
  toDebugString(): string {
    return 'io error'
  }
}

export class InputStream {
  read(): Uint8Array {
    throw { tag: 'closed' }
  }

  blockingRead(): Uint8Array {
    throw { tag: 'closed' }
  }

  subscribe(): Pollable {
    return new Pollable(0n)
  }
}

export class OutputStream {
  constructor(private readonly sink: (text: string) => void) {}
  private readonly decoder = new TextDecoder()
  checkWrite(): bigint {
    return 1_048_576n
  }

  write(contents: Uint8Array): void {
    this.sink(this.decoder.decode(contents))
  }

  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents)
  }

  flush(): void {}
  blockingFlush(): void {}
  subscribe(): Pollable {
    return new Pollable(0n)
  }
}
