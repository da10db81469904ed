import { describe, expect, it } from 'vitest';
import { FaultSpecError, parseFaults } from '../../../native-bridge/sim/faults';
import { SyntheticInjector } from '../../../native-bridge/sim/injector-model';
import { nominalDelivery } from '../../../native-bridge/synthetic-family';
import { parseLinkTarget, TransportError } from '../../../native-bridge/transport';

const healthy = { stuckNozzle: false, highLeak: false, openCoil: false };

describe('synthetic injector', () => {
  it('lands in the magnitudes of docs/domain.md at the nominal test points', () => {
    expect(nominalDelivery(1600, 1000)).toBeGreaterThan(40);
    expect(nominalDelivery(1600, 1000)).toBeLessThan(70);
    expect(nominalDelivery(800, 500)).toBeGreaterThan(8);
    expect(nominalDelivery(800, 500)).toBeLessThan(20);
    expect(nominalDelivery(300, 650)).toBeGreaterThan(3);
    expect(nominalDelivery(300, 650)).toBeLessThan(8);
    expect(nominalDelivery(800, 250)).toBeGreaterThan(1);
    expect(nominalDelivery(800, 250)).toBeLessThan(2.5);
    expect(nominalDelivery(800, 100)).toBe(0);
  });

  it('derives its own deviation from the serial number, the same every time', () => {
    const first = new SyntheticInjector('SYN-A', 1, healthy);
    const again = new SyntheticInjector('SYN-A', 1, healthy);
    const other = new SyntheticInjector('SYN-B', 1, healthy);
    expect(first.electrical()).toEqual(again.electrical());
    expect(first.delivery(1600, 1000, 1000)).toBe(again.delivery(1600, 1000, 1000));
    expect(first.delivery(1600, 1000, 1000)).not.toBe(other.delivery(1600, 1000, 1000));
  });

  it('scatters more at short pulses, and leaks more at higher pressure', () => {
    const spread = (energizingTimeUs: number, railBar: number) => {
      const injector = new SyntheticInjector('SYN-SPREAD', 9, healthy);
      const values = Array.from({ length: 400 }, () => injector.delivery(railBar, energizingTimeUs, 100));
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) / mean;
    };
    expect(spread(250, 800)).toBeGreaterThan(2 * spread(1000, 1600));
    const injector = new SyntheticInjector('SYN-LEAK', 1, healthy);
    expect(injector.backLeak(1600)).toBeGreaterThan(injector.backLeak(300));
    expect(injector.backLeak(800)).toBeLessThan(30);
  });
});

describe('fault flags', () => {
  it('parses link and bench faults, repeated or comma-separated', () => {
    const { link, bench } = parseFaults(['corrupt=5,drop=2', 'delay=200', 'disconnect=40,replug=300', 'nak=10:INTERLOCK', 'stuck-nozzle', 'code-mismatch']);
    expect(link).toEqual({ corruptPct: 5, dropPct: 2, delayMs: 200, disconnectAfterFrames: 40, replugAfterMs: 300, nakPct: 10, nakCode: 'INTERLOCK' });
    expect(bench).toMatchObject({ stuckNozzle: true, codeMismatch: true, highLeak: false });
  });

  it.each(['corrupt=150', 'warp=3', 'nak=5:PLEASE', 'stuck-nozzle=1', 'delay'])('rejects %s with the rule', (spec) => {
    expect(() => parseFaults([spec])).toThrow(FaultSpecError);
  });
});

describe('link targets', () => {
  it('accepts serial paths and tcp://HOST:PORT, and refuses anything else', () => {
    expect(parseLinkTarget('/dev/pts/3')).toEqual({ kind: 'serial', path: '/dev/pts/3' });
    expect(parseLinkTarget('COM3')).toEqual({ kind: 'serial', path: 'COM3' });
    expect(parseLinkTarget('tcp://127.0.0.1:4001')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4001 });
    expect(parseLinkTarget('/dev/serial/by-id/usb-FTDI_FT232R-if00-port0')).toEqual({ kind: 'serial', path: '/dev/serial/by-id/usb-FTDI_FT232R-if00-port0' });
    for (const bad of ['tcp://127.0.0.1', 'tcp://127.0.0.1:0', 'http://x:1', 'bench', '/dev/pts/3;rm', '/dev/../etc/passwd', 'dev/ttyS0']) {
      expect(() => parseLinkTarget(bad)).toThrow(TransportError);
    }
  });
});
