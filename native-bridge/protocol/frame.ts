/**
 * Frame layer of the bench protocol (docs/bench-protocol.md): encoding, and a streaming decoder that
 * finds frames in any byte stream, resynchronises after garbage and never throws on input.
 */
import crc16ccitt from 'crc/calculators/crc16ccitt';
import crc8 from 'crc/calculators/crc8';

export const FRAME_START = 0xa5;
export const HEADER_LENGTH = 9;
export const TRAILER_LENGTH = 2;
/** Bounded so a decoder never buffers more than one maximal frame while waiting for its end. */
export const MAX_PAYLOAD_LENGTH = 1024;
export const MAX_FRAME_LENGTH = HEADER_LENGTH + MAX_PAYLOAD_LENGTH + TRAILER_LENGTH;

export const FrameType = {
  request: 0x01,
  response: 0x02,
  event: 0x03,
  nak: 0x04,
} as const;
export type FrameTypeName = keyof typeof FrameType;
export type FrameTypeCode = (typeof FrameType)[FrameTypeName];
const frameTypeCodes = new Set<number>(Object.values(FrameType));

export interface Frame {
  version: number;
  type: FrameTypeCode;
  command: number;
  /** 0-65535; a reply echoes its request's sequence, a retry reuses it. */
  sequence: number;
  payload: Uint8Array;
}

export class FrameEncodeError extends Error {
  override readonly name = 'FrameEncodeError';
}

function headerChecksum(bytes: Uint8Array): number {
  return crc8(bytes.subarray(1, HEADER_LENGTH - 1));
}

function frameChecksum(bytes: Uint8Array, payloadLength: number): number {
  return crc16ccitt(bytes.subarray(1, HEADER_LENGTH + payloadLength));
}

/** Encodes one frame; throws FrameEncodeError on values the wire cannot carry (a programming error). */
export function encodeFrame(frame: Frame): Buffer {
  const { version, type, command, sequence, payload } = frame;
  if (!Number.isInteger(version) || version < 0 || version > 0xff) throw new FrameEncodeError(`version ${version} is not a byte`);
  if (!frameTypeCodes.has(type)) throw new FrameEncodeError(`frame type ${type} is not defined`);
  if (!Number.isInteger(command) || command < 0 || command > 0xff) throw new FrameEncodeError(`command ${command} is not a byte`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffff) throw new FrameEncodeError(`sequence ${sequence} is not 0-65535`);
  if (payload.length > MAX_PAYLOAD_LENGTH) {
    throw new FrameEncodeError(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_LENGTH}`);
  }
  const bytes = Buffer.alloc(HEADER_LENGTH + payload.length + TRAILER_LENGTH);
  bytes[0] = FRAME_START;
  bytes[1] = version;
  bytes[2] = type;
  bytes[3] = command;
  bytes.writeUInt16BE(sequence, 4);
  bytes.writeUInt16BE(payload.length, 6);
  bytes[8] = headerChecksum(bytes);
  bytes.set(payload, HEADER_LENGTH);
  bytes.writeUInt16BE(frameChecksum(bytes, payload.length), HEADER_LENGTH + payload.length);
  return bytes;
}

export type DecodeRejection = 'bad_header' | 'bad_crc';

export interface DecoderStats {
  frames: number;
  /** Bytes skipped while looking for a start byte or after a rejected candidate. */
  discardedBytes: number;
  rejectedHeaders: number;
  rejectedChecksums: number;
}

/**
 * Streaming decoder. push() takes any bytes and returns the complete valid frames found so far. Bytes
 * are kept only from the earliest possible frame start, so memory stays below MAX_FRAME_LENGTH plus one
 * chunk whatever the input.
 */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  readonly stats: DecoderStats = { frames: 0, discardedBytes: 0, rejectedHeaders: 0, rejectedChecksums: 0 };

  constructor(private readonly onRejected?: (reason: DecodeRejection) => void) {}

  get bufferedBytes(): number {
    return this.buffer.length;
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  push(chunk: Uint8Array): Frame[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    let offset = 0;
    // Each pass either consumes at least one byte or stops for more input: bounded by the buffer length.
    while (offset < this.buffer.length) {
      const start = this.buffer.indexOf(FRAME_START, offset);
      if (start < 0) {
        this.stats.discardedBytes += this.buffer.length - offset;
        offset = this.buffer.length;
        break;
      }
      this.stats.discardedBytes += start - offset;
      offset = start;
      if (this.buffer.length - start < HEADER_LENGTH) break;
      const header = this.buffer.subarray(start, start + HEADER_LENGTH);
      const payloadLength = header.readUInt16BE(6);
      if (headerChecksum(header) !== header[8] || payloadLength > MAX_PAYLOAD_LENGTH || !frameTypeCodes.has(header[2] ?? 0)) {
        this.reject('bad_header');
        offset = start + 1;
        this.stats.discardedBytes += 1;
        continue;
      }
      const frameLength = HEADER_LENGTH + payloadLength + TRAILER_LENGTH;
      if (this.buffer.length - start < frameLength) break;
      const candidate = this.buffer.subarray(start, start + frameLength);
      if (frameChecksum(candidate, payloadLength) !== candidate.readUInt16BE(HEADER_LENGTH + payloadLength)) {
        // Only the start byte is dropped: a real frame may begin inside the rejected candidate.
        this.reject('bad_crc');
        offset = start + 1;
        this.stats.discardedBytes += 1;
        continue;
      }
      frames.push({
        version: header[1] ?? 0,
        type: (header[2] ?? 0) as FrameTypeCode,
        command: header[3] ?? 0,
        sequence: header.readUInt16BE(4),
        payload: Uint8Array.prototype.slice.call(candidate, HEADER_LENGTH, HEADER_LENGTH + payloadLength),
      });
      this.stats.frames += 1;
      offset = start + frameLength;
    }
    this.buffer = offset >= this.buffer.length ? Buffer.alloc(0) : Buffer.from(this.buffer.subarray(offset));
    return frames;
  }

  private reject(reason: DecodeRejection): void {
    if (reason === 'bad_header') this.stats.rejectedHeaders += 1;
    else this.stats.rejectedChecksums += 1;
    this.onRejected?.(reason);
  }
}
