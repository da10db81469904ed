/**
 * Fuzzes the frame decoder with random and mutated inputs: it must never throw, never hang and never
 * buffer more than one maximal frame plus the chunk it was given.
 *
 *   npx tsx bench/fuzz-decoder.ts [iterations=1000000] [seed=1]
 *
 * `npm test` runs a short slice of the same function (test/unit/native-bridge/fuzz.test.ts).
 */
import { seededRandom } from '../native-bridge/sim/injector-model';
import { pathToFileURL } from 'node:url';
import { encodeFrame, FrameDecoder, FrameType, MAX_FRAME_LENGTH, MAX_PAYLOAD_LENGTH, type Frame } from '../native-bridge/protocol/frame';
import { Command, decodePayload, encodePayload, EventCode, liveSchema, nakSchema, responseSchemas, statusSchema } from '../native-bridge/protocol/messages';

export interface FuzzReport {
  iterations: number;
  inputBytes: number;
  framesDecoded: number;
  maxBufferedBytes: number;
  maxHeapUsedMb: number;
  elapsedMs: number;
}

export function fuzzDecoder(options: { iterations: number; seed?: number; timeLimitMs?: number }): FuzzReport {
  const next = seededRandom(options.seed ?? 1);
  const int = (below: number): number => Math.floor(next() * below);
  const started = performance.now();
  const deadline = started + (options.timeLimitMs ?? 10 * 60_000);
  const typeCodes = Object.values(FrameType);
  const validFrame = (): Buffer => {
    const payloadKind = int(4);
    const frame: Frame = {
      version: int(3),
      type: typeCodes[int(typeCodes.length)]!,
      command: [...Object.values(Command), ...Object.values(EventCode)][int(15)] ?? 0,
      sequence: int(0x10000),
      payload:
        payloadKind === 0
          ? encodePayload({ railBar: next() * 2000, state: 'ready', safeReason: null, railTargetBar: 1600, drive: null, uptimeMs: int(1e6) })
          : payloadKind === 1
            ? encodePayload({ phase: 'injecting', railBar: 1600, elapsedMs: int(1e5), strokesDone: int(1000) })
            : Uint8Array.from({ length: int(payloadKind === 2 ? 40 : MAX_PAYLOAD_LENGTH + 1) }, () => int(256)),
    };
    return encodeFrame(frame);
  };
  const mutate = (bytes: Buffer): Buffer => {
    const copy = Buffer.from(bytes);
    switch (int(5)) {
      case 0: // flip a few bits
        for (let n = 1 + int(3); n > 0 && copy.length > 0; n -= 1) copy[int(copy.length)]! ^= 1 << int(8);
        return copy;
      case 1: // truncate
        return copy.subarray(0, int(copy.length));
      case 2: // insert random bytes
        return Buffer.concat([copy.subarray(0, int(copy.length + 1)), Buffer.from(Array.from({ length: 1 + int(20) }, () => int(256))), copy]);
      case 3: // overwrite the length field
        if (copy.length > 8) copy.writeUInt16BE(int(0x10000), 6);
        return copy;
      default: // duplicate
        return Buffer.concat([copy, copy]);
    }
  };

  let decoder = new FrameDecoder();
  const report: FuzzReport = { iterations: 0, inputBytes: 0, framesDecoded: 0, maxBufferedBytes: 0, maxHeapUsedMb: 0, elapsedMs: 0 };
  for (let i = 0; i < options.iterations; i += 1) {
    if ((i & 0x3fff) === 0) {
      if (performance.now() > deadline) throw new Error(`fuzz exceeded its time limit after ${i} iterations`);
      report.maxHeapUsedMb = Math.max(report.maxHeapUsedMb, process.memoryUsage().heapUsed / 2 ** 20);
    }
    if (int(1000) === 0) decoder = new FrameDecoder();
    const kind = int(3);
    const input =
      kind === 0
        ? Buffer.from(Array.from({ length: int(64) }, () => (int(8) === 0 ? 0xa5 : int(256))))
        : kind === 1
          ? mutate(validFrame())
          : validFrame();
    // Arbitrary chunking, as a serial port delivers bytes.
    for (let offset = 0; offset < input.length; ) {
      const size = 1 + int(input.length - offset);
      const frames = decoder.push(input.subarray(offset, offset + size));
      offset += size;
      report.framesDecoded += frames.length;
      for (const frame of frames) {
        // The payload decoders must be as total as the frame decoder.
        decodePayload(statusSchema, frame.payload);
        decodePayload(liveSchema, frame.payload);
        decodePayload(nakSchema, frame.payload);
        decodePayload(responseSchemas.IDENT, frame.payload);
      }
      report.maxBufferedBytes = Math.max(report.maxBufferedBytes, decoder.bufferedBytes);
      if (decoder.bufferedBytes > MAX_FRAME_LENGTH + size) {
        throw new Error(`decoder buffered ${decoder.bufferedBytes} bytes after a ${size}-byte chunk (iteration ${i})`);
      }
    }
    report.inputBytes += input.length;
    report.iterations += 1;
  }
  report.elapsedMs = Math.round(performance.now() - started);
  report.maxHeapUsedMb = Math.round(report.maxHeapUsedMb * 10) / 10;
  return report;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const iterations = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? 1);
  const report = fuzzDecoder({ iterations, seed });
  console.log(JSON.stringify(report));
  console.log(`fuzz: ${report.iterations} inputs, ${report.inputBytes} bytes, no throw, max buffered ${report.maxBufferedBytes} B (bound ${MAX_FRAME_LENGTH} + chunk), ${report.elapsedMs} ms`);
}
