/**
 * Synthetic common-rail solenoid injector (docs/domain.md): Q = max(0, k(p)·(ET − t0(p))) + noise, with
 * each injector's own deviation of k and t0 seeded from its serial number. Magnitudes are plausible for
 * a passenger-car injector and are not real data.
 */
import { nominalK, nominalT0 } from '../synthetic-family';

/** mulberry32: small, fast and seedable, so a serial number always yields the same injector. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function gaussian(next: () => number): number {
  const u = Math.max(next(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

export interface InjectorFaults {
  stuckNozzle: boolean;
  highLeak: boolean;
  openCoil: boolean;
}

/**
 * A family's nominal behaviour: k(p) and t0(p) of Q = k(p)·(ET − t0(p)). The virtual bench models the
 * demo families from the same nominal curves the demo packs publish (families.ts interpolates them), so
 * a healthy virtual injector passes its pack's test plan.
 */
export interface FamilyModel {
  name: string;
  kind: 'solenoid' | 'piezo';
  k(railBar: number): number;
  t0(railBar: number): number;
}

/** The family of docs/domain.md's table, used when no part number selects another. */
export const defaultFamily: FamilyModel = { name: 'SYN-CRI2 solenoid (synthetic)', kind: 'solenoid', k: nominalK, t0: nominalT0 };

export class SyntheticInjector {
  readonly family: string;
  readonly kind: FamilyModel['kind'];
  private readonly kFactor: number;
  private readonly t0OffsetUs: number;
  private readonly wear: number;
  private readonly coilOhm: number;
  private readonly inductanceUH: number;
  private readonly noise: () => number;

  constructor(
    readonly serial: string,
    seed: number,
    private readonly faults: InjectorFaults,
    private readonly model: FamilyModel = defaultFamily,
  ) {
    this.family = model.name;
    this.kind = model.kind;
    const own = seededRandom(hashSeed(serial));
    this.kFactor = 1 + 0.02 * gaussian(own);
    this.t0OffsetUs = 8 * gaussian(own);
    this.wear = 1 + 0.3 * own();
    this.coilOhm = 0.35 + 0.015 * gaussian(own);
    this.inductanceUH = 180 + 10 * gaussian(own);
    // Measurement noise differs between sessions (seed) but the injector itself does not.
    this.noise = seededRandom(hashSeed(`${serial}/${seed}`));
  }

  /** Delivered quantity in mm³/stroke, averaged over the strokes of a step. */
  delivery(railBar: number, energizingTimeUs: number, strokes: number): number {
    if (this.faults.stuckNozzle) return 0;
    const k = this.model.k(railBar);
    const t0 = this.model.t0(railBar);
    const mean = Math.max(0, k * this.kFactor * (energizingTimeUs - t0 - this.t0OffsetUs));
    // Short pulses scatter more (pilot about four times a long pulse); averaging over strokes narrows it.
    const spread = (0.004 * mean + 0.02 * (300 / Math.max(energizingTimeUs, 50))) / Math.sqrt(Math.max(1, strokes / 100));
    return Math.max(0, mean + spread * gaussian(this.noise));
  }

  /** Back-leak in mL/min: grows with pressure and wear. */
  backLeak(railBar: number): number {
    const leak = (2 + 12 * (Math.max(railBar, 0) / 1000)) * this.wear * (this.faults.highLeak ? 4 : 1);
    return Math.max(0, leak * (1 + 0.02 * gaussian(this.noise)));
  }

  electrical(): { coilResistanceOhm: number | null; insulationMOhm: number; inductanceUH: number | null } {
    if (this.faults.openCoil) return { coilResistanceOhm: null, insulationMOhm: 500, inductanceUH: null };
    return {
      coilResistanceOhm: round(this.coilOhm * (1 + 0.002 * gaussian(this.noise)), 4),
      insulationMOhm: round(450 + 50 * this.noise(), 1),
      inductanceUH: round(this.inductanceUH, 1),
    };
  }
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
