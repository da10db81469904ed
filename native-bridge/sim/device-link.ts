/**
 * Device side of the protocol for the virtual bench: decodes host frames, de-duplicates retries by
 * sequence number, runs the heartbeat watchdog, and injects the link faults (corrupt, drop, delay,
 * disconnect, NAK) that tests and demos ask for.
 */
import { encodeFrame, FrameDecoder, FrameType, type Frame } from '../protocol/frame';
import {
  BASE_PROTOCOL_VERSION,
  commandAvailable,
  commandName,
  decodePayload,
  encodePayload,
  EventCode,
  negotiateVersion,
  requestSchemas,
  type CommandName,
  type LiveValues,
  type NakCode,
} from '../protocol/messages';
import type { ByteLink } from '../transport';
import { seededRandom } from './injector-model';
import { longCommands, NakError, type VirtualBench } from './virtual-bench';

export interface LinkFaults {
  /** Percent of frames (each direction) with one flipped bit. */
  corruptPct: number;
  /** Percent of frames (each direction) lost. */
  dropPct: number;
  /** Extra delay before each reply, in real milliseconds. */
  delayMs: number;
  /** Unplug the link after this many frames (both directions counted); null: never. */
  disconnectAfterFrames: number | null;
  /** Plug the pty back in this long after an unplug (pty mode); null: stay unplugged. */
  replugAfterMs: number | null;
  /** Percent of requests answered with a NAK instead of being executed. */
  nakPct: number;
  nakCode: NakCode;
}

export const noLinkFaults: LinkFaults = { corruptPct: 0, dropPct: 0, delayMs: 0, disconnectAfterFrames: null, replugAfterMs: null, nakPct: 0, nakCode: 'BUSY' };

export interface DeviceLinkEvents {
  /** A reply the device sent for a request: what the host should receive, byte for byte. */
  reply(command: CommandName, sequence: number, outcome: { ok: true; value: unknown } | { ok: false; code: NakCode; message: string }): void;
  unplug(): void;
}

interface RequestRecord {
  command: number;
  /** Encoded reply once the request finished; null while it runs. */
  reply: Buffer | null;
  live: Buffer | null;
}

const DEDUP_ENTRIES = 16;

/** What a version-1 host does not know: live values beyond rail and strokes, and the test-oil temperature. */
function withoutVersion2Fields(value: unknown, live: boolean): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { oilTempC: _oil, deliveryMm3PerStroke: _delivery, backLeakMlPerMin: _leak, ...rest } = value as Record<string, unknown>;
  return live ? rest : { ...(value as Record<string, unknown>), oilTempC: undefined };
}
/** Commands that may run alongside a long operation: they end it or only read. */
const concurrentCommands: ReadonlySet<CommandName> = new Set(['ABORT', 'SAFE', 'STATUS', 'HEARTBEAT']);

export class DeviceLink {
  private link: ByteLink | null = null;
  private readonly decoder = new FrameDecoder();
  private readonly recent = new Map<number, RequestRecord>();
  private framesSeen = 0;
  private lastHostFrameAt: number | null = null;
  private eventSequence = 0;
  /** Settled by IDENT; until then (and for IDENT itself) version 1, which every host reads. */
  private linkVersion: number = BASE_PROTOCOL_VERSION;
  private readonly chance: () => number;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly bench: VirtualBench,
    private readonly faults: LinkFaults,
    private readonly events: DeviceLinkEvents,
    private readonly watchdogMs: number,
    seed: number,
  ) {
    this.chance = seededRandom(seed ^ 0x5eed);
    this.watchdog = setInterval(() => this.checkWatchdog(), Math.max(10, Math.min(100, watchdogMs / 4)));
    this.watchdog.unref();
  }

  /** Attaches a new host connection (TCP accepts one at a time; a pty has one for its life). */
  attach(link: ByteLink): void {
    this.link?.close().catch(() => {});
    this.link = link;
    this.linkVersion = BASE_PROTOCOL_VERSION;
    this.decoder.reset();
    link.onData((chunk) => {
      for (const frame of this.decoder.push(chunk)) this.receive(frame);
    });
    link.onClose(() => {
      if (this.link === link) this.link = null;
    });
  }

  sendState(state: string, safeReason: string | null): void {
    this.eventSequence = (this.eventSequence + 1) & 0xffff;
    this.send(encodeFrame({ version: this.linkVersion, type: FrameType.event, command: EventCode.STATE, sequence: this.eventSequence, payload: encodePayload({ state, safeReason }) }));
  }

  close(): void {
    clearInterval(this.watchdog);
    void this.link?.close();
  }

  private checkWatchdog(): void {
    if (this.lastHostFrameAt === null) return;
    if (performance.now() - this.lastHostFrameAt > this.watchdogMs) {
      // Disarmed until the host speaks again, so SAFE is entered once per loss.
      this.lastHostFrameAt = null;
      this.bench.enterSafe('heartbeat lost');
    }
  }

  private percent(pct: number): boolean {
    return pct > 0 && this.chance() * 100 < pct;
  }

  private countFrame(): void {
    this.framesSeen += 1;
    if (this.faults.disconnectAfterFrames !== null && this.framesSeen === this.faults.disconnectAfterFrames) {
      const link = this.link;
      this.link = null;
      this.events.unplug();
      void link?.close();
    }
  }

  private send(bytes: Buffer, delayMs = 0): void {
    const deliver = (): void => {
      if (!this.link) return;
      this.countFrame();
      if (this.percent(this.faults.dropPct)) return;
      let wire = bytes;
      if (this.percent(this.faults.corruptPct)) {
        wire = Buffer.from(bytes);
        const bit = Math.floor(this.chance() * wire.length * 8);
        wire[bit >> 3]! ^= 1 << (bit & 7);
      }
      this.link?.write(wire);
    };
    if (delayMs > 0) setTimeout(deliver, delayMs);
    else deliver();
  }

  private nak(sequence: number, command: number, code: NakCode, message: string, extra: Record<string, unknown> = {}): Buffer {
    // A refused version is said in version 1, the one frame every host can read.
    const version = code === 'UNSUPPORTED_VERSION' ? BASE_PROTOCOL_VERSION : this.linkVersion;
    return encodeFrame({ version, type: FrameType.nak, command, sequence, payload: encodePayload({ code, message, ...extra }) });
  }

  private remember(sequence: number, record: RequestRecord): void {
    this.recent.delete(sequence);
    this.recent.set(sequence, record);
    if (this.recent.size > DEDUP_ENTRIES) this.recent.delete(this.recent.keys().next().value as number);
  }

  private receive(frame: Frame): void {
    this.countFrame();
    if (this.percent(this.faults.dropPct)) return;
    if (this.percent(this.faults.corruptPct)) {
      // A flipped bit in the payload is caught by the frame CRC and answered; one in the header is not.
      if (this.chance() < 0.5) this.send(this.nak(frame.sequence, frame.command, 'BAD_CRC', 'frame checksum mismatch'), this.faults.delayMs);
      return;
    }
    this.lastHostFrameAt = performance.now();
    if (frame.type === FrameType.event) return; // heartbeat events only feed the watchdog
    if (frame.type !== FrameType.request) return;
    const supportedVersions = [...this.bench.protocolVersions];
    if (!supportedVersions.includes(frame.version)) {
      this.send(this.nak(frame.sequence, frame.command, 'UNSUPPORTED_VERSION', `protocol version ${frame.version} is not supported`, { supportedVersions }));
      return;
    }
    const name = commandName(frame.command);
    if (!name || (name !== 'IDENT' && !commandAvailable(name, this.linkVersion))) {
      this.send(this.nak(frame.sequence, frame.command, 'UNKNOWN_COMMAND', `command 0x${frame.command.toString(16)} is not defined`));
      return;
    }
    const previous = this.recent.get(frame.sequence);
    if (previous && previous.command === frame.command) {
      // A retry: never execute twice. Answer again, or show the operation is still alive.
      if (previous.reply) this.send(previous.reply, this.faults.delayMs);
      else if (previous.live) this.send(previous.live);
      return;
    }
    if (this.percent(this.faults.nakPct)) {
      this.send(this.nak(frame.sequence, frame.command, this.faults.nakCode, `injected fault: ${this.faults.nakCode}`), this.faults.delayMs);
      return;
    }
    if (name === 'IDENT') this.recent.clear();
    const input = decodePayload(requestSchemas[name] as (typeof requestSchemas)['STATUS'], frame.payload);
    if (!input.ok) {
      this.send(this.nak(frame.sequence, frame.command, 'BAD_PAYLOAD', input.message.slice(0, 200)));
      return;
    }
    let replyVersion = this.linkVersion;
    if (name === 'IDENT') {
      const negotiated = negotiateVersion((input.value as unknown as { versions: number[] }).versions, supportedVersions);
      if (negotiated === null) {
        this.send(this.nak(frame.sequence, frame.command, 'UNSUPPORTED_VERSION', 'no common protocol version', { supportedVersions }));
        return;
      }
      this.linkVersion = negotiated;
      replyVersion = BASE_PROTOCOL_VERSION;
    }
    const version = this.linkVersion;
    const isLong = longCommands.has(name);
    if (this.bench.busy && !concurrentCommands.has(name)) {
      this.send(this.nak(frame.sequence, frame.command, 'BUSY', 'another operation is running; ABORT it or wait'));
      return;
    }
    const record: RequestRecord = { command: frame.command, reply: null, live: null };
    this.remember(frame.sequence, record);
    const live = (values: LiveValues): void => {
      const sent = version >= 2 ? values : withoutVersion2Fields(values, true);
      record.live = encodeFrame({ version, type: FrameType.event, command: EventCode.LIVE, sequence: frame.sequence, payload: encodePayload(sent) });
      this.send(record.live);
    };
    const work = (ctx: Parameters<VirtualBench['execute']>[2]) => this.bench.execute(name, input.value as never, ctx);
    const execution = isLong ? this.bench.runExclusive(work, live) : work({ signal: new AbortController().signal, live });
    execution.then(
      (result) => {
        const value = name === 'IDENT' ? { ...(result as object), protocolVersion: version } : version >= 2 ? result : withoutVersion2Fields(result, false);
        record.reply = encodeFrame({ version: replyVersion, type: FrameType.response, command: frame.command, sequence: frame.sequence, payload: encodePayload(value) });
        this.events.reply(name, frame.sequence, { ok: true, value });
        this.send(record.reply, this.faults.delayMs);
      },
      (error: unknown) => {
        const nak = error instanceof NakError ? error : new NakError('HARDWARE_FAULT', `internal error: ${String(error)}`);
        record.reply = this.nak(frame.sequence, frame.command, nak.code, nak.message.slice(0, 200));
        this.events.reply(name, frame.sequence, { ok: false, code: nak.code, message: nak.message });
        this.send(record.reply, this.faults.delayMs);
      },
    );
  }
}

