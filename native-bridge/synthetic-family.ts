/**
 * The nominal curve of docs/domain.md's synthetic injector family, Q = k(p)·(ET − t0(p)): the diagnostic
 * plan (test-plan.ts) takes its nominal deliveries from it, and the virtual bench (sim/) models injectors
 * that deviate from it. It lives here, not in sim/, so the bridge never depends on its simulator.
 */
export function nominalK(railBar: number): number {
  return 0.0653 * Math.pow(Math.max(railBar, 0) / 1600, 0.825);
}

export function nominalT0(railBar: number): number {
  return 120 + 72_000 / (Math.max(railBar, 0) + 100);
}

export function nominalDelivery(railBar: number, energizingTimeUs: number): number {
  return Math.max(0, nominalK(railBar) * (energizingTimeUs - nominalT0(railBar)));
}
