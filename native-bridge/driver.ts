/**
 * Host-side bench driver: one request in flight (ABORT and SAFE may overtake it), reply timeouts,
 * retries that reuse the sequence number, typed NAKs, live values as events, heartbeats that keep the
 * bench's watchdog fed, and reconnection after an unplug.
 */
import { encodeFrame, FrameDecoder, FrameType, type Frame } from './protocol/frame';
import {
  BASE_PROTOCOL_VERSION,
  Command,
  commandAvailable,
  decodePayload,
  encodePayload,
  EventCode,
  liveSchema,
  nakSchema,
  responseSchemas,
  retryableNakCodes,
  stateEventSchema,
  SUPPORTED_VERSIONS,
  type BenchState,
  type CommandName,
  type Ident,
  type LiveValues,
  type NakCode,
  type RequestOf,
  type ResponseOf,
} from './protocol/messages';
import { formatLinkTarget, openLink, parseLinkTarget, TransportError, type ByteLink, type LinkTarget } from './transport';

export type BenchLinkErrorCode =
  | 'TIMEOUT'
  | 'DISCONNECTED'
  | 'NAK'
  | 'BAD_REPLY'
  | 'CLOSED'
  | 'UNSUPPORTED_VERSION'
  | 'OPEN_FAILED'
  | 'BAD_TARGET'
  | 'DISCOVERY_UNAVAILABLE';

/** Every failure of the bench link, typed: a caller never has to parse a message. */
export class BenchLinkError extends Error {
  constructor(
    readonly code: BenchLinkErrorCode,
    message: string,
    readonly nak?: NakCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BenchLinkError';
  }
}

export type DriverEvent =
  | { type: 'live'; command: CommandName; sequence: number; values: LiveValues }
  | { type: 'state'; state: BenchState; safeReason: string | null }
  | { type: 'disconnected'; reason: string }
  | { type: 'reconnected'; ident: Ident }
  | { type: 'reconnect-failed'; attempts: number };

export interface DriverOptions {
  replyTimeoutMs: number;
  /** Retransmissions of one request after a timeout or a retryable NAK, with the same sequence. */
  retries: number;
  heartbeatIntervalMs: number;
  reconnect: { enabled: boolean; delayMs: number; maxAttempts: number };
  /** Hard bound on one request including its live phase, whatever the bench streams. */
  maxRequestMs: number;
  /** How a link is opened; tests put an in-memory link here. */
  openLink: (target: LinkTarget) => Promise<ByteLink>;
}

export const defaultDriverOptions: DriverOptions = {
  replyTimeoutMs: 500,
  retries: 3,
  heartbeatIntervalMs: 200,
  reconnect: { enabled: true, delayMs: 250, maxAttempts: 20 },
  maxRequestMs: 10 * 60_000,
  openLink,
};

export interface LinkStats {
  requests: number;
  retransmissions: number;
  timeouts: number;
  naks: number;
  staleReplies: number;
  rejectedFrames: number;
}

interface Pending {
  command: CommandName;
  sequence: number;
  bytes: Buffer;
  attempts: number;
  timer: NodeJS.Timeout | null;
  deadline: NodeJS.Timeout;
  onLive: ((values: LiveValues) => void) | undefined;
  resolve(value: unknown): void;
  reject(error: BenchLinkError): void;
}

const BUSY_BACKOFF_MS = 25;
const overtaking: ReadonlySet<CommandName> = new Set(['ABORT', 'SAFE']);

export class BenchDriver {
  private link: ByteLink | null = null;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: DriverEvent) => void>();
  private sequence = Math.floor(Math.random() * 0xffff);
  private queue: Promise<unknown> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | null = null;
  private closing = false;
  private reconnecting = false;
  private identity: Ident | null = null;
  private linkVersion: number = BASE_PROTOCOL_VERSION;
  readonly stats: LinkStats = { requests: 0, retransmissions: 0, timeouts: 0, naks: 0, staleReplies: 0, rejectedFrames: 0 };

  private constructor(
    readonly target: LinkTarget,
    private readonly options: DriverOptions,
  ) {
    this.decoder = new FrameDecoder(() => (this.stats.rejectedFrames += 1));
  }

  /** Opens the link and negotiates the protocol version with IDENT. */
  static async open(target: string | LinkTarget, options: Partial<DriverOptions> = {}): Promise<BenchDriver> {
    const parsed = typeof target === 'string' ? toDriverTarget(target) : target;
    const driver = new BenchDriver(parsed, { ...defaultDriverOptions, ...options });
    await driver.connect();
    return driver;
  }

  get ident(): Ident | null {
    return this.identity;
  }

  /** The protocol version IDENT settled for this link (version 1 until then). */
  get protocolVersion(): number {
    return this.linkVersion;
  }

  get connected(): boolean {
    return this.link !== null;
  }

  on(listener: (event: DriverEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: DriverEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async connect(): Promise<void> {
    let link: ByteLink;
    try {
      link = await this.options.openLink(this.target);
    } catch (error) {
      if (error instanceof TransportError) throw new BenchLinkError(error.code, error.message, undefined, { cause: error });
      throw error;
    }
    this.attach(link);
    try {
      const identity = await this.request('IDENT', { versions: [...SUPPORTED_VERSIONS] });
      if (!(SUPPORTED_VERSIONS as readonly number[]).includes(identity.protocolVersion)) {
        throw new BenchLinkError('UNSUPPORTED_VERSION', `the bench settled on protocol version ${identity.protocolVersion}, which this host did not offer`, 'UNSUPPORTED_VERSION');
      }
      this.identity = identity;
      this.linkVersion = identity.protocolVersion;
    } catch (error) {
      this.detach();
      await link.close();
      if (error instanceof BenchLinkError && error.nak === 'UNSUPPORTED_VERSION') {
        throw new BenchLinkError('UNSUPPORTED_VERSION', `the bench speaks none of protocol versions ${SUPPORTED_VERSIONS.join(', ')}: ${error.message}`, 'UNSUPPORTED_VERSION');
      }
      throw error;
    }
    if (this.closing) {
      // close() ran while a reconnection was negotiating: this link must not outlive the driver.
      this.detach();
      await link.close();
      throw new BenchLinkError('CLOSED', 'the bench driver was closed');
    }
    const interval = Math.min(this.options.heartbeatIntervalMs, Math.floor(this.identity.watchdogMs / 4));
    this.heartbeat = setInterval(() => this.sendHeartbeat(), Math.max(10, interval));
  }

  private attach(link: ByteLink): void {
    this.link = link;
    this.linkVersion = BASE_PROTOCOL_VERSION;
    this.decoder.reset();
    link.onData((chunk) => {
      for (const frame of this.decoder.push(chunk)) this.receive(frame);
    });
    link.onClose((reason) => {
      if (this.link !== link) return;
      this.detach();
      if (this.closing) return;
      this.failAll(new BenchLinkError('DISCONNECTED', `bench link lost (${reason}); any running step has no valid result`));
      this.emit({ type: 'disconnected', reason });
      if (this.options.reconnect.enabled) void this.reconnect();
    });
  }

  private detach(): void {
    this.link = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      for (let attempt = 1; attempt <= this.options.reconnect.maxAttempts && !this.closing; attempt += 1) {
        await delay(this.options.reconnect.delayMs);
        if (this.closing) return;
        try {
          await this.connect();
          if (this.identity) this.emit({ type: 'reconnected', ident: this.identity });
          return;
        } catch {
          // The port may not be back yet: try again until the attempts run out.
        }
      }
      if (!this.closing) this.emit({ type: 'reconnect-failed', attempts: this.options.reconnect.maxAttempts });
    } finally {
      this.reconnecting = false;
    }
  }

  private sendHeartbeat(): void {
    this.link?.write(encodeFrame({ version: this.linkVersion, type: FrameType.event, command: Command.HEARTBEAT, sequence: 0, payload: encodePayload({}) }));
  }

  private failAll(error: BenchLinkError): void {
    for (const pending of [...this.pending.values()]) this.settle(pending, () => pending.reject(error));
  }

  private settle(pending: Pending, finish: () => void): void {
    if (this.pending.get(pending.sequence) !== pending) return;
    this.pending.delete(pending.sequence);
    if (pending.timer) clearTimeout(pending.timer);
    clearTimeout(pending.deadline);
    finish();
  }

  /**
   * Sends one request and resolves with its validated reply. Requests queue behind each other; ABORT
   * and SAFE go out at once so they can end a running step.
   */
  request<C extends CommandName>(command: C, input: RequestOf<C>, onLive?: (values: LiveValues) => void): Promise<ResponseOf<C>> {
    const run = () => this.transmit(command, input, onLive);
    if (overtaking.has(command)) return run();
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  private transmit<C extends CommandName>(command: C, input: RequestOf<C>, onLive?: (values: LiveValues) => void): Promise<ResponseOf<C>> {
    if (this.closing) return Promise.reject(new BenchLinkError('CLOSED', 'the bench driver is closed'));
    if (!this.link) return Promise.reject(new BenchLinkError('DISCONNECTED', `no link to the bench at ${formatLinkTarget(this.target)}`));
    if (!commandAvailable(command, this.linkVersion)) {
      return Promise.reject(new BenchLinkError('UNSUPPORTED_VERSION', `${command} needs a newer bench protocol than version ${this.linkVersion}: update the bench firmware`));
    }
    this.sequence = (this.sequence + 1) & 0xffff;
    const sequence = this.sequence;
    // IDENT goes out in version 1, which every bench reads; everything after it in the settled version.
    const version = command === 'IDENT' ? BASE_PROTOCOL_VERSION : this.linkVersion;
    const bytes = encodeFrame({ version, type: FrameType.request, command: Command[command], sequence, payload: encodePayload(input) });
    this.stats.requests += 1;
    return new Promise<ResponseOf<C>>((resolve, reject) => {
      const pending: Pending = {
        command,
        sequence,
        bytes,
        attempts: 0,
        timer: null,
        deadline: setTimeout(
          () => this.settle(pending, () => reject(new BenchLinkError('TIMEOUT', `${command} did not finish within ${this.options.maxRequestMs} ms`))),
          this.options.maxRequestMs,
        ),
        onLive,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      this.pending.set(sequence, pending);
      this.send(pending);
    });
  }

  private send(pending: Pending): void {
    if (pending.timer) clearTimeout(pending.timer);
    this.link?.write(pending.bytes);
    this.armTimer(pending);
  }

  private armTimer(pending: Pending): void {
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = setTimeout(() => this.retry(pending, 'no reply'), this.options.replyTimeoutMs);
  }

  private retry(pending: Pending, why: string, code: NakCode | undefined = undefined): void {
    if (this.pending.get(pending.sequence) !== pending) return;
    if (code === undefined) this.stats.timeouts += 1;
    if (pending.attempts >= this.options.retries) {
      const error =
        code === undefined
          ? new BenchLinkError('TIMEOUT', `${pending.command}: ${why} after ${pending.attempts + 1} attempts of ${this.options.replyTimeoutMs} ms`)
          : new BenchLinkError('NAK', `${pending.command}: bench answered ${code} (${why}) ${pending.attempts + 1} times`, code);
      this.settle(pending, () => pending.reject(error));
      return;
    }
    pending.attempts += 1;
    this.stats.retransmissions += 1;
    this.send(pending);
  }

  private receive(frame: Frame): void {
    if (frame.version !== this.linkVersion && frame.version !== BASE_PROTOCOL_VERSION) return;
    if (frame.type === FrameType.event) return this.receiveEvent(frame);
    const pending = this.pending.get(frame.sequence);
    if (!pending || Command[pending.command] !== frame.command) {
      // A duplicate answer to a retry that was already answered.
      this.stats.staleReplies += 1;
      return;
    }
    if (frame.type === FrameType.nak) {
      this.stats.naks += 1;
      const nak = decodePayload(nakSchema, frame.payload);
      if (!nak.ok) {
        this.settle(pending, () => pending.reject(new BenchLinkError('BAD_REPLY', `${pending.command}: unreadable NAK: ${nak.message}`)));
        return;
      }
      const { code, message } = nak.value;
      if (retryableNakCodes.has(code)) {
        if (pending.timer) clearTimeout(pending.timer);
        pending.timer = setTimeout(() => this.retry(pending, message, code), code === 'BUSY' ? BUSY_BACKOFF_MS : 0);
        return;
      }
      this.settle(pending, () => pending.reject(new BenchLinkError('NAK', `${pending.command}: bench answered ${code}: ${message}`, code)));
      return;
    }
    if (frame.type !== FrameType.response) return;
    const reply = decodePayload(responseSchemas[pending.command] as (typeof responseSchemas)['STATUS'], frame.payload);
    this.settle(pending, () =>
      reply.ok ? pending.resolve(reply.value) : pending.reject(new BenchLinkError('BAD_REPLY', `${pending.command}: reply does not match the protocol: ${reply.message}`)),
    );
  }

  private receiveEvent(frame: Frame): void {
    if (frame.command === EventCode.LIVE) {
      const pending = this.pending.get(frame.sequence);
      const values = decodePayload(liveSchema, frame.payload);
      if (!pending || !values.ok) return;
      // Proof of life: the silence timer and the retry budget start over.
      pending.attempts = 0;
      this.armTimer(pending);
      pending.onLive?.(values.value);
      this.emit({ type: 'live', command: pending.command, sequence: frame.sequence, values: values.value });
    } else if (frame.command === EventCode.STATE) {
      const state = decodePayload(stateEventSchema, frame.payload);
      if (state.ok) this.emit({ type: 'state', ...state.value });
    }
  }

  // One method per command, for readable call sites.
  status = () => this.request('STATUS', {});
  heartbeatRequest = () => this.request('HEARTBEAT', {});
  setRailPressure = (bar: number, onLive?: (values: LiveValues) => void) => this.request('SET_RAIL_PRESSURE', { bar }, onLive);
  setDrive = (drive: RequestOf<'SET_DRIVE'>) => this.request('SET_DRIVE', drive);
  runStep = (step: RequestOf<'RUN_STEP'>, onLive?: (values: LiveValues) => void) => this.request('RUN_STEP', step, onLive);
  abort = () => this.request('ABORT', {});
  selectInjector = (injector: RequestOf<'SELECT_INJECTOR'>) => this.request('SELECT_INJECTOR', injector);
  electricalTest = () => this.request('ELECTRICAL_TEST', {});
  leakTest = (test: RequestOf<'LEAK_TEST'>, onLive?: (values: LiveValues) => void) => this.request('LEAK_TEST', test, onLive);
  calCheck = () => this.request('CAL_CHECK', {});
  conditionOil = (window: RequestOf<'CONDITION_OIL'>, onLive?: (values: LiveValues) => void) => this.request('CONDITION_OIL', window, onLive);
  writeCode = (code: string) => this.request('WRITE_CODE', { code });
  readCode = () => this.request('READ_CODE', {});
  safe = () => this.request('SAFE', {});
  clearSafe = () => this.request('SAFE', { clear: true });

  /** Ends pending requests with CLOSED, stops heartbeats and reconnection, and closes the link. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.failAll(new BenchLinkError('CLOSED', 'the bench driver was closed'));
    const link = this.link;
    this.detach();
    await link?.close();
  }
}

function toDriverTarget(text: string): LinkTarget {
  try {
    return parseLinkTarget(text);
  } catch (error) {
    if (error instanceof TransportError) throw new BenchLinkError('BAD_TARGET', error.message);
    throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

