/**
 * Big-endian cursor over untrusted bytes for the ccache and keytab readers: every read checks the
 * remaining length first, so a truncated or lying file fails with the caller's typed error and
 * nothing is read past the end.
 */
export class BoundedReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    readonly fail: (message: string) => Error,
    readonly end = buf.length,
    start = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n < 0 || n > this.remaining) {
      throw this.fail(`truncated: ${what} needs ${n} bytes at offset ${this.pos}, ${this.remaining} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf.readUInt8(this.pos++);
  }

  u16(what: string, littleEndian = false): number {
    this.need(2, what);
    const v = littleEndian ? this.buf.readUInt16LE(this.pos) : this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string, littleEndian = false): number {
    this.need(4, what);
    const v = littleEndian ? this.buf.readUInt32LE(this.pos) : this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(what: string, littleEndian = false): number {
    this.need(4, what);
    const v = littleEndian ? this.buf.readInt32LE(this.pos) : this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A copy, so callers can keep it after the file buffer is dropped or wiped. */
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
}

/** Growable big-endian writer for the ccache and keytab writers. */
export class ByteWriter {
  private readonly parts: Buffer[] = [];

  private fixed(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }

  u8(v: number): this {
    return this.fixed(1, (b) => b.writeUInt8(v));
  }

  u16(v: number): this {
    return this.fixed(2, (b) => b.writeUInt16BE(v));
  }

  u32(v: number): this {
    return this.fixed(4, (b) => b.writeUInt32BE(v >>> 0));
  }

  i32(v: number): this {
    return this.fixed(4, (b) => b.writeInt32BE(v));
  }

  bytes(b: Buffer | Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}
