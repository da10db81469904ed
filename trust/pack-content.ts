/**
 * What a calibration pack holds for one injector family (calibration.json inside the pack). Coding
 * formats are data: alphabet, length, field layout, step size, offset, checksum and codable window are
 * read from here, never hard-coded (docs/domain.md).
 */
import { z } from 'zod';
import { featureId } from './schemas';

const finite = z.number().finite();
const range = z.object({ min: finite, max: finite }).refine((value) => value.min <= value.max, 'min must not exceed max');

export const toleranceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percent'), value: finite.positive().max(100) }),
  z.object({ kind: z.literal('absolute'), value_mm3: finite.positive() }),
]);

export const testStepSchema = z.object({
  id: z.string().regex(/^[A-Z0-9_]{1,8}$/),
  label: z.string().min(1).max(80),
  rail_bar: finite.positive().max(3000),
  energizing_us: finite.nonnegative().max(5000),
  frequency_hz: finite.positive().max(100),
  strokes: z.number().int().positive().max(100_000),
  settle_ms: z.number().int().nonnegative().max(600_000),
  nominal_mm3: finite.nonnegative().max(500),
  tolerance: toleranceSchema,
});

export const testPlanSchema = z.object({
  part_numbers: z.array(z.string().min(3).max(40)).min(1),
  description: z.string().max(200),
  electrical: z.object({
    kind: z.enum(['solenoid', 'piezo']),
    resistance_ohm: range,
    insulation_min_mohm: finite.positive(),
  }),
  leak: z.object({
    test_rail_bar: finite.positive().max(3000),
    hold_s: z.number().int().positive().max(600),
    back_leak_max_ml_min: finite.positive(),
    back_leak_rule: z.enum(['absolute', 'relative-to-set-minimum']),
    relative_factor: finite.positive().optional(),
  }),
  steps: z.array(testStepSchema).min(1).max(32),
});

export const codingFieldSchema = z.object({
  name: z.string().min(1).max(40),
  kind: z.enum(['protocol', 'correction', 'class', 'checksum', 'reserved']),
  start: z.number().int().nonnegative(),
  width: z.number().int().positive().max(8),
  /** For corrections: the test step whose deviation the field encodes (absent slots code as the offset). */
  step: z.string().optional(),
  signed: z.boolean().default(false),
  /** For protocol, class and reserved fields: the constant they hold (default 0). */
  value: z.number().int().nonnegative().optional(),
});

export const codingSchema = z
  .object({
    format_id: z.string().min(1).max(40),
    alphabet: z.string().min(2).max(64),
    length: z.number().int().min(4).max(64),
    fields: z.array(codingFieldSchema).min(1).max(64),
    step_size: finite.positive(),
    step_unit: z.enum(['us', 'mm3', 'percent']),
    offset: z.number().int(),
    checksum: z.enum(['none', 'xor8', 'sum8', 'sum-mod-alphabet']),
    codable_window: z.object({ min_steps: z.number().int(), max_steps: z.number().int() }),
  })
  .superRefine((coding, context) => {
    if (new Set(coding.alphabet).size !== coding.alphabet.length) context.addIssue({ code: 'custom', message: 'alphabet repeats a character' });
    const covered = new Array<number>(coding.length).fill(0);
    for (const field of coding.fields) {
      for (let position = field.start; position < field.start + field.width; position += 1) {
        if (position >= coding.length) context.addIssue({ code: 'custom', message: `field ${field.name} runs past the code length` });
        else covered[position] = (covered[position] ?? 0) + 1;
      }
    }
    if (covered.some((times) => times !== 1)) context.addIssue({ code: 'custom', message: 'fields must cover every code position exactly once' });
    const hasChecksumField = coding.fields.some((field) => field.kind === 'checksum');
    if ((coding.checksum === 'none') === hasChecksumField) context.addIssue({ code: 'custom', message: 'a checksum field exists exactly when a checksum kind is set' });
    if (coding.codable_window.min_steps > coding.codable_window.max_steps) context.addIssue({ code: 'custom', message: 'codable window is empty' });
  });
export type CodingFormat = z.infer<typeof codingSchema>;

export const calibrationSchema = z.object({
  family: featureId,
  display_name: z.string().min(1).max(80),
  maker_style: z.string().min(1).max(80),
  synthetic: z.boolean(),
  test_oil: z.object({ standard: z.string(), temperature_c: range }),
  test_plans: z.array(testPlanSchema).min(1),
  nominal_curve: z.array(z.object({ rail_bar: finite.positive(), k_mm3_per_us: finite.positive(), t0_us: finite.nonnegative() })).min(2),
  coding: codingSchema,
  credit_tariff: z.object({ per_test_run: z.number().int().nonnegative(), per_correction_code: z.number().int().nonnegative() }),
  /**
   * Engine sets (docs/domain.md): the largest spread of one test point's correction, in the code's own
   * steps (coding.step_size of coding.step_unit), across the injectors of one engine that still counts as
   * a matched set; and how long after a charged code a retest of the same injector is free. Optional: a
   * pack without it codes injectors one by one, with no set verdict.
   */
  set_matching: z
    .object({ max_correction_spread: z.number().int().nonnegative().max(1000), retest_window_min: z.number().int().nonnegative().max(7 * 24 * 60) })
    .optional(),
  /** What the label's QR code holds: the bare code scan tools read, or the code with part and serial. */
  label: z.object({ qr_content: z.enum(['code', 'code-part-serial']) }).optional(),
});
export type Calibration = z.infer<typeof calibrationSchema>;

/** The source of a pack: pack.json next to calibration.json in the source directory. */
export const packSourceSchema = z.object({
  feature_id: featureId,
  version: z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/),
  release_counter: z.number().int().nonnegative(),
  compatible_hardware: z.array(z.string().min(1).max(64)).min(1),
  min_app_version: z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/),
  synthetic: z.boolean(),
});
