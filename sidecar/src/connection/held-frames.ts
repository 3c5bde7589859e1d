// Inbound messages `ws` already parsed while the connection's callback queue was full, kept as raw payload bytes
// (a few bytes of header each, not a ~600 B callback) until the queue has room again (F2). Pure data structure.

const initialCapacity = 256;
/** An emptied store gives its memory back when it grew past this. */
const keepCapacity = 4096;

export class HeldFrames {
  #buffer = Buffer.allocUnsafe(initialCapacity);
  #start = 0;
  #end = 0;
  #count = 0;

  get count(): number {
    return this.#count;
  }

  /** Bytes held: payloads plus one to five header bytes each. */
  get bytes(): number {
    return this.#end - this.#start;
  }

  /** Copies the payload in; `data` may be reused by the caller afterwards. */
  push(data: Buffer, isBinary: boolean): void {
    // Header: varint of (length * 2 + binary), 1 byte for payloads under 64 bytes.
    let header = data.length * 2 + (isBinary ? 1 : 0);
    this.#reserve(data.length + 5);
    do {
      const low = header % 128;
      header = Math.floor(header / 128);
      this.#buffer[this.#end++] = header > 0 ? low | 128 : low;
    } while (header > 0);
    data.copy(this.#buffer, this.#end);
    this.#end += data.length;
    this.#count++;
  }

  /** The oldest frame; its `data` is only valid until the next push. */
  shift(): { data: Buffer; isBinary: boolean } | undefined {
    if (this.#count === 0) return undefined;
    let header = 0;
    let scale = 1;
    for (;;) {
      const byte = this.#buffer[this.#start++]!;
      header += (byte & 127) * scale;
      if (byte < 128) break;
      scale *= 128;
    }
    const length = Math.floor(header / 2);
    const data = this.#buffer.subarray(this.#start, this.#start + length);
    this.#start += length;
    this.#count--;
    if (this.#count === 0) {
      this.#start = 0;
      this.#end = 0;
      if (this.#buffer.length > keepCapacity) this.#buffer = Buffer.allocUnsafe(initialCapacity);
    }
    return { data, isBinary: header % 2 === 1 };
  }

  #reserve(extra: number): void {
    if (this.#end + extra <= this.#buffer.length) return;
    const used = this.#end - this.#start;
    let capacity = this.#buffer.length;
    while (capacity < used + extra) capacity *= 2;
    const next = capacity === this.#buffer.length ? this.#buffer : Buffer.allocUnsafe(capacity);
    this.#buffer.copy(next, 0, this.#start, this.#end);
    this.#buffer = next;
    this.#start = 0;
    this.#end = used;
  }
}
