/**
 * The injector population the virtual bench can clamp: one family model per part number, read from the
 * demo calibration sources (resources/demo-source). Only the physics is taken from there: nominal
 * curve and injector kind. Tolerances, codes and credits stay the pack's business.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { FamilyModel } from './injector-model';

const familySourceSchema = z.object({
  family: z.string(),
  display_name: z.string(),
  test_plans: z.array(z.object({ part_numbers: z.array(z.string()), electrical: z.object({ kind: z.enum(['solenoid', 'piezo']) }) })),
  nominal_curve: z.array(z.object({ rail_bar: z.number(), k_mm3_per_us: z.number(), t0_us: z.number() })).min(2),
});

type CurvePoint = z.infer<typeof familySourceSchema>['nominal_curve'][number];

/** Linear between the curve's points, flat beyond its ends (the pack's correction code reads it the same way). */
function interpolate(sorted: readonly CurvePoint[], railBar: number, pick: (point: CurvePoint) => number): number {
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) return 0;
  if (railBar <= first.rail_bar) return pick(first);
  if (railBar >= last.rail_bar) return pick(last);
  const upperIndex = sorted.findIndex((point) => point.rail_bar >= railBar);
  const upper = sorted[upperIndex] ?? last;
  const lower = sorted[upperIndex - 1] ?? first;
  return pick(lower) + ((railBar - lower.rail_bar) / (upper.rail_bar - lower.rail_bar)) * (pick(upper) - pick(lower));
}

export function loadFamilyModels(directory: string): Map<string, FamilyModel> {
  const byPart = new Map<string, FamilyModel>();
  if (!existsSync(directory)) return byPart;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name, 'calibration.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const parsed = familySourceSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is not a calibration source: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const curve = [...parsed.data.nominal_curve].sort((a, b) => a.rail_bar - b.rail_bar);
    const k = (railBar: number) => interpolate(curve, railBar, (point) => point.k_mm3_per_us);
    const t0 = (railBar: number) => interpolate(curve, railBar, (point) => point.t0_us);
    for (const plan of parsed.data.test_plans) {
      const model: FamilyModel = { name: parsed.data.display_name, kind: plan.electrical.kind, k, t0 };
      for (const part of plan.part_numbers) byPart.set(part, model);
    }
  }
  return byPart;
}
