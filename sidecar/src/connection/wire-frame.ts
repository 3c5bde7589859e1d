// An outbound frame as bytes on the wire (RFC 6455 §5.2), built once however many sockets it goes to. Pure.
import type { OutboundFrame } from './outbound-frame.ts';

/** A final, unmasked, uncompressed text or binary frame: a server's frame to a client, header and payload in one buffer. */
export function encodeWireFrame(frame: OutboundFrame): Buffer {
  const length = frame.data.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const wire = Buffer.allocUnsafe(headerLength + length);
  wire[0] = 0x80 | (frame.binary ? 0x2 : 0x1);
  if (length < 126) {
    wire[1] = length;
  } else if (length < 65_536) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.data.copy(wire, headerLength);
  return wire;
}
