import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  FrameDecoder,
  FrameEncodeError,
  FrameType,
  HEADER_LENGTH,
  MAX_FRAME_LENGTH,
  MAX_PAYLOAD_LENGTH,
  type Frame,
} from '../../../native-bridge/protocol/frame';
import { Command, decodePayload, encodePayload, requestSchemas } from '../../../native-bridge/protocol/messages';

const sample: Frame = {
  version: 1,
  type: FrameType.request,
  command: Command.SET_RAIL_PRESSURE,
  sequence: 0xbeef,
  payload: encodePayload({ bar: 1600 }),
};

describe('frame codec', () => {
  it('round-trips every frame type, empty and maximal payloads', () => {
    const frames: Frame[] = [
      sample,
      { ...sample, type: FrameType.response, payload: new Uint8Array(0) },
      { ...sample, type: FrameType.event, sequence: 0, payload: new Uint8Array(MAX_PAYLOAD_LENGTH).fill(0xa5) },
      { ...sample, type: FrameType.nak, sequence: 0xffff, payload: encodePayload({ code: 'BUSY', message: 'x' }) },
    ];
    const decoder = new FrameDecoder();
    const decoded = decoder.push(Buffer.concat(frames.map(encodeFrame)));
    const comparable = (frame: Frame) => ({ ...frame, payload: Array.from(frame.payload) });
    expect(decoded.map(comparable)).toEqual(frames.map(comparable));
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('decodes a frame delivered one byte at a time', () => {
    const decoder = new FrameDecoder();
    const bytes = encodeFrame(sample);
    const found: Frame[] = [];
    for (const byte of bytes) found.push(...decoder.push(Uint8Array.of(byte)));
    expect(found).toHaveLength(1);
    expect(decodePayload(requestSchemas.SET_RAIL_PRESSURE, found[0]!.payload)).toEqual({ ok: true, value: { bar: 1600 } });
  });

  it('detects every single-bit corruption of a frame', () => {
    const bytes = encodeFrame(sample);
    let detected = 0;
    for (let bit = 0; bit < bytes.length * 8; bit += 1) {
      const corrupted = Buffer.from(bytes);
      corrupted[bit >> 3]! ^= 1 << (bit & 7);
      const decoder = new FrameDecoder();
      // A trailing good frame proves the decoder resynchronises after each corrupted one.
      const decoded = decoder.push(Buffer.concat([corrupted, encodeFrame({ ...sample, sequence: 1 })]));
      expect(decoded.map((frame) => frame.sequence)).toEqual([1]);
      detected += 1;
    }
    expect(detected).toBe(bytes.length * 8);
  });

  it('resynchronises after garbage, including fake start bytes', () => {
    const garbage = Buffer.from([0x00, 0xa5, 0xa5, 0x01, 0x02, 0xff, 0xa5, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x13]);
    const decoder = new FrameDecoder();
    const decoded = decoder.push(Buffer.concat([garbage, encodeFrame(sample), garbage, encodeFrame({ ...sample, sequence: 7 })]));
    expect(decoded.map((frame) => frame.sequence)).toEqual([0xbeef, 7]);
    expect(decoder.stats.discardedBytes).toBe(garbage.length * 2);
  });

  it('rejects a header announcing more than the bounded payload without waiting for it', () => {
    const oversized = encodeFrame(sample);
    oversized.writeUInt16BE(MAX_PAYLOAD_LENGTH + 1, 6);
    const decoder = new FrameDecoder();
    expect(decoder.push(Buffer.concat([oversized.subarray(0, HEADER_LENGTH), encodeFrame(sample)]))).toHaveLength(1);
    expect(decoder.stats.rejectedHeaders).toBe(1);
  });

  it('keeps at most one maximal frame buffered, whatever the input', () => {
    const decoder = new FrameDecoder();
    const header = encodeFrame({ ...sample, payload: new Uint8Array(MAX_PAYLOAD_LENGTH) }).subarray(0, HEADER_LENGTH);
    decoder.push(header);
    for (let i = 0; i < 50; i += 1) {
      decoder.push(new Uint8Array(200).fill(0x11));
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(MAX_FRAME_LENGTH + 200);
    }
  });

  it('refuses to encode what the wire cannot carry', () => {
    expect(() => encodeFrame({ ...sample, payload: new Uint8Array(MAX_PAYLOAD_LENGTH + 1) })).toThrow(FrameEncodeError);
    expect(() => encodeFrame({ ...sample, sequence: 0x10000 })).toThrow(FrameEncodeError);
  });

  it('returns a typed failure for payloads that are not the expected JSON', () => {
    expect(decodePayload(requestSchemas.SET_RAIL_PRESSURE, Uint8Array.of(0xff, 0xfe)).ok).toBe(false);
    expect(decodePayload(requestSchemas.SET_RAIL_PRESSURE, encodePayload({ bar: 'high' })).ok).toBe(false);
    expect(decodePayload(requestSchemas.SET_RAIL_PRESSURE, encodePayload({ bar: 99999 })).ok).toBe(false);
  });
});
