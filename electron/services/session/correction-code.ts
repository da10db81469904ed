/**
 * The correction code, computed from a pack's coding format: alphabet, length, field layout, step size,
 * offset, checksum and codable window are all data (docs/domain.md: every maker's format differs, so
 * none of it may be hard-coded). Pure: the session engine feeds it measured deliveries.
 */
import type { Calibration, CodingFormat } from '../../../trust/pack-content';

export type CorrectionCodeErrorCode = 'NOT_CODABLE' | 'BAD_FORMAT' | 'MISSING_MEASUREMENT';

export class CorrectionCodeError extends Error {
  constructor(
    readonly code: CorrectionCodeErrorCode,
    message: string,
    /** The test step whose point fell outside the codable window, when that is the reason. */
    readonly step?: string,
  ) {
    super(message);
    this.name = 'CorrectionCodeError';
  }
}

export interface StepMeasurement {
  railBar: number;
  nominalMm3: number;
  measuredMm3: number;
}

export interface FieldCorrection {
  field: string;
  step: string;
  /** The deviation in the format's unit (µs of energizing time, mm³, or percent). */
  value: number;
  unit: CodingFormat['step_unit'];
  steps: number;
}

export interface CorrectionCode {
  code: string;
  formatId: string;
  corrections: FieldCorrection[];
}

/** Slope dQ/dt of the nominal curve at a rail pressure, linearly interpolated and clamped at the ends. */
export function nominalSlope(curve: Calibration['nominal_curve'], railBar: number): number {
  const points = [...curve].sort((a, b) => a.rail_bar - b.rail_bar);
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) throw new CorrectionCodeError('BAD_FORMAT', 'The pack has no nominal curve.');
  if (railBar <= first.rail_bar) return first.k_mm3_per_us;
  if (railBar >= last.rail_bar) return last.k_mm3_per_us;
  for (let index = 1; index < points.length; index += 1) {
    const upper = points[index];
    const lower = points[index - 1];
    if (upper && lower && railBar <= upper.rail_bar) {
      const share = (railBar - lower.rail_bar) / (upper.rail_bar - lower.rail_bar);
      return lower.k_mm3_per_us + share * (upper.k_mm3_per_us - lower.k_mm3_per_us);
    }
  }
  return last.k_mm3_per_us;
}

/** Deviation of one test point in the format's unit; a positive time correction means "energize longer". */
export function deviation(format: CodingFormat, curve: Calibration['nominal_curve'], measurement: StepMeasurement): number {
  const missing = measurement.nominalMm3 - measurement.measuredMm3;
  switch (format.step_unit) {
    case 'us':
      // Around a point Q ≈ k(p)·(t − t0(p)), so Δt ≈ (Q_nom − Q_meas) / (dQ/dt) (Bosch US 6,904,354).
      return missing / nominalSlope(curve, measurement.railBar);
    case 'mm3':
      return -missing;
    case 'percent':
      if (measurement.nominalMm3 === 0) throw new CorrectionCodeError('BAD_FORMAT', 'A percent correction needs a non-zero nominal delivery.');
      return (-missing / measurement.nominalMm3) * 100;
  }
}

/**
 * The deliveries a code can correct at one test point: the codable window's steps turned back into mm³
 * (the inverse of `deviation`). Null for a point no correction field codes: any delivery is codable there.
 */
export function codableDeliveryWindow(
  calibration: Pick<Calibration, 'coding' | 'nominal_curve'>,
  step: { id: string; railBar: number; nominalMm3: number },
): { minMm3: number; maxMm3: number } | null {
  const format = calibration.coding;
  if (!format.fields.some((field) => field.kind === 'correction' && field.step === step.id)) return null;
  const lowest = format.codable_window.min_steps * format.step_size;
  const highest = format.codable_window.max_steps * format.step_size;
  const nominal = step.nominalMm3;
  switch (format.step_unit) {
    case 'mm3':
      return { minMm3: nominal + lowest, maxMm3: nominal + highest };
    case 'percent':
      return { minMm3: nominal * (1 + lowest / 100), maxMm3: nominal * (1 + highest / 100) };
    case 'us': {
      // A positive time correction means the injector delivers too little: it sits below nominal.
      const slope = nominalSlope(calibration.nominal_curve, step.railBar);
      return { minMm3: Math.max(0, nominal - highest * slope), maxMm3: nominal - lowest * slope };
    }
  }
}

function digitsOf(value: number, base: number, width: number): number[] {
  const digits: number[] = [];
  let rest = value;
  for (let position = 0; position < width; position += 1) {
    digits.unshift(rest % base);
    rest = Math.floor(rest / base);
  }
  return digits;
}

function valueOf(digits: readonly number[], base: number): number {
  return digits.reduce((total, digit) => total * base + digit, 0);
}

/** Hex codes checksum over bytes (two digits each); other alphabets over each digit's index. */
function checksumBytes(digits: readonly number[], base: number): number[] {
  if (base !== 16) return [...digits];
  const bytes: number[] = [];
  for (let index = 0; index < digits.length; index += 2) bytes.push(((digits[index] ?? 0) << 4) | (digits[index + 1] ?? 0));
  return bytes;
}

export function checksumValue(format: CodingFormat, payloadDigits: readonly number[]): number {
  const base = format.alphabet.length;
  switch (format.checksum) {
    case 'none':
      return 0;
    case 'xor8':
      return checksumBytes(payloadDigits, base).reduce((acc, byte) => acc ^ byte, 0) & 0xff;
    case 'sum8':
      return checksumBytes(payloadDigits, base).reduce((acc, byte) => acc + byte, 0) & 0xff;
    case 'sum-mod-alphabet':
      return payloadDigits.reduce((acc, digit) => acc + digit, 0) % base;
  }
}

function fieldCapacity(format: CodingFormat, width: number): number {
  return format.alphabet.length ** width;
}

/**
 * Encodes the measured deviations. Refuses with NOT_CODABLE, naming the step, when a point lies outside
 * the codable window: such an injector cannot be corrected and must not get a code.
 */
export function encodeCorrectionCode(calibration: Pick<Calibration, 'coding' | 'nominal_curve'>, measurements: ReadonlyMap<string, StepMeasurement>): CorrectionCode {
  const format = calibration.coding;
  const base = format.alphabet.length;
  const digits = new Array<number>(format.length).fill(0);
  const corrections: FieldCorrection[] = [];
  const checksumFields = format.fields.filter((field) => field.kind === 'checksum');

  for (const field of format.fields) {
    if (field.kind === 'checksum') continue;
    let stored: number;
    if (field.kind === 'correction' && field.step !== undefined) {
      const measurement = measurements.get(field.step);
      if (!measurement) throw new CorrectionCodeError('MISSING_MEASUREMENT', `No measurement for step ${field.step}, which field ${field.name} codes.`, field.step);
      const value = deviation(format, calibration.nominal_curve, measurement);
      // `|| 0` folds Math.round's negative zero into zero.
      const steps = Math.round(value / format.step_size) || 0;
      if (steps < format.codable_window.min_steps || steps > format.codable_window.max_steps) {
        throw new CorrectionCodeError(
          'NOT_CODABLE',
          `Step ${field.step} needs ${value.toFixed(2)} ${format.step_unit} (${steps} steps), outside the codable window ${format.codable_window.min_steps}…${format.codable_window.max_steps}: the injector cannot be corrected.`,
          field.step,
        );
      }
      corrections.push({ field: field.name, step: field.step, value, unit: format.step_unit, steps });
      stored = field.signed ? steps + format.offset : steps;
    } else if (field.kind === 'correction') {
      // An unused correction slot codes "no correction".
      stored = field.signed ? format.offset : 0;
    } else {
      stored = field.value ?? 0;
    }
    if (stored < 0 || stored >= fieldCapacity(format, field.width)) {
      throw new CorrectionCodeError('NOT_CODABLE', `Field ${field.name} cannot hold ${stored} in ${field.width} character(s).`, field.step);
    }
    digitsOf(stored, base, field.width).forEach((digit, offset) => (digits[field.start + offset] = digit));
  }

  if (checksumFields.length > 0) {
    const checksumPositions = new Set(checksumFields.flatMap((field) => Array.from({ length: field.width }, (_, offset) => field.start + offset)));
    const payload = digits.filter((_, position) => !checksumPositions.has(position));
    const sum = checksumValue(format, payload);
    for (const field of checksumFields) {
      if (sum >= fieldCapacity(format, field.width)) throw new CorrectionCodeError('BAD_FORMAT', `Checksum field ${field.name} is too narrow for ${format.checksum}.`);
      digitsOf(sum, base, field.width).forEach((digit, offset) => (digits[field.start + offset] = digit));
    }
  }

  return { code: digits.map((digit) => format.alphabet[digit]).join(''), formatId: format.format_id, corrections };
}

export interface DecodedCode {
  checksumValid: boolean;
  /** Correction steps per coded test step. */
  steps: Record<string, number>;
}

/** Reads a code back (e.g. after WRITE_CODE/READ_CODE, or one typed by hand) and checks its checksum. */
export function decodeCorrectionCode(format: CodingFormat, code: string): DecodedCode | null {
  if (code.length !== format.length) return null;
  const base = format.alphabet.length;
  const digits = [...code].map((char) => format.alphabet.indexOf(char));
  if (digits.some((digit) => digit < 0)) return null;
  const steps: Record<string, number> = {};
  const checksumPositions = new Set<number>();
  let coded = 0;
  for (const field of format.fields) {
    const fieldDigits = digits.slice(field.start, field.start + field.width);
    if (field.kind === 'checksum') {
      for (let offset = 0; offset < field.width; offset += 1) checksumPositions.add(field.start + offset);
      coded = valueOf(fieldDigits, base);
    } else if (field.kind === 'correction' && field.step !== undefined) {
      const stored = valueOf(fieldDigits, base);
      steps[field.step] = field.signed ? stored - format.offset : stored;
    }
  }
  const payload = digits.filter((_, position) => !checksumPositions.has(position));
  const checksumValid = format.checksum === 'none' || checksumValue(format, payload) === coded;
  return { checksumValid, steps };
}
