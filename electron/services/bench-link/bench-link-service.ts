/**
 * The bench connection as the app sees it: one driver at a time, its state for the status page and
 * the connection view, and the session's BenchPort while connected. Raw serial traffic never leaves
 * native-bridge; this service publishes typed, coalesced state only.
 */
import { BenchDriver, BenchLinkError, type DriverOptions } from '../../../native-bridge/driver';
import { discoverPorts, type DiscoveredPort } from '../../../native-bridge/discovery';
import type { Ident } from '../../../native-bridge/protocol/messages';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import { DriverBenchPort } from '../session/driver-bench-port';
import type { BenchPort } from '../session/ports';
import { ServiceError } from '../service-error';

export interface BenchLinkState {
  status: 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error';
  target: string | null;
  model: string | null;
  benchSerial: string | null;
  firmware: string | null;
  /** The controller's own state (idle, ready, running, safe) and why it is SAFE. */
  benchState: string | null;
  safeReason: string | null;
  lastError: { code: string; message: string } | null;
  calibrationDue: string | null;
}

const initialState: BenchLinkState = {
  status: 'disconnected',
  target: null,
  model: null,
  benchSerial: null,
  firmware: null,
  benchState: null,
  safeReason: null,
  lastError: null,
  calibrationDue: null,
};

export class BenchLinkService {
  #driver: BenchDriver | null = null;
  #state: BenchLinkState = { ...initialState };

  /**
   * @param recordHardware keeps what the bench reported in IDENT (bench-core.ts recordBenchHardware): packs
   * are checked against that model.
   */
  constructor(
    private readonly log: IntegrityLog,
    private readonly onChange: (state: BenchLinkState) => void,
    private readonly recordHardware: (ident: Ident) => void,
    private readonly driverOptions: Partial<DriverOptions> = {},
  ) {}

  state(): BenchLinkState {
    return { ...this.#state };
  }

  async listPorts(): Promise<DiscoveredPort[]> {
    return discoverPorts();
  }

  async connect(target: string): Promise<BenchLinkState> {
    await this.disconnect();
    this.#set({ ...initialState, status: 'connecting', target });
    try {
      const driver = await BenchDriver.open(target, this.driverOptions);
      this.#driver = driver;
      driver.on((event) => {
        if (event.type === 'state') this.#set({ benchState: event.state, safeReason: event.safeReason });
        else if (event.type === 'disconnected') this.#set({ status: 'reconnecting', lastError: { code: 'DISCONNECTED', message: event.reason } });
        else if (event.type === 'reconnected') {
          this.recordHardware(event.ident);
          this.#set({ status: 'connected', model: event.ident.model, benchSerial: event.ident.benchSerial, firmware: event.ident.firmware, lastError: null });
        }
        else if (event.type === 'reconnect-failed') this.#set({ status: 'error', lastError: { code: 'DISCONNECTED', message: `The bench did not come back after ${event.attempts} attempts. Check the cable and reconnect.` } });
      });
      const ident = driver.ident;
      if (ident) this.recordHardware(ident);
      const calibration = await driver.calCheck().catch(() => null);
      const status = await driver.status().catch(() => null);
      this.#set({
        status: 'connected',
        model: ident?.model ?? null,
        benchSerial: ident?.benchSerial ?? null,
        firmware: ident?.firmware ?? null,
        benchState: status?.state ?? null,
        safeReason: status?.safeReason ?? null,
        calibrationDue: calibration?.due ?? null,
      });
      this.log.append('bench.connected', { target, model: ident?.model, benchSerial: ident?.benchSerial, firmware: ident?.firmware });
      return this.state();
    } catch (error) {
      const code = error instanceof BenchLinkError ? error.code : 'TRANSPORT_ERROR';
      const message = error instanceof Error ? error.message : String(error);
      this.#set({ status: 'error', lastError: { code, message } });
      this.log.append('bench.connect_failed', { target, code });
      throw new ServiceError('TRANSPORT_ERROR', `Cannot connect to the bench at ${target}: ${message}`, { cause: error });
    }
  }

  async disconnect(): Promise<void> {
    const driver = this.#driver;
    this.#driver = null;
    if (!driver) return;
    await driver.close().catch(() => undefined);
    this.#set({ ...initialState });
  }

  /** The session's way to the bench; refused with a clear error while no bench is connected. */
  benchPort(): BenchPort {
    if (!this.#driver || this.#state.status !== 'connected') {
      throw new ServiceError('NOT_CONFIGURED', 'No bench is connected: connect the bench (Bench view) before starting a session.');
    }
    return new DriverBenchPort(this.#driver);
  }

  #set(patch: Partial<BenchLinkState>): void {
    this.#state = { ...this.#state, ...patch };
    this.onChange(this.state());
  }
}
