import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoFamilies } from '../../../trust/demo-repository';
import { compareVersions } from '../../../trust/pack';
import { calibrationSchema, codingSchema, packSourceSchema } from '../../../trust/pack-content';
import { buildPackFromSource } from '../../../trust/pack-source';

const sourceDir = fileURLToPath(new URL('../../../resources/demo-source/', import.meta.url));
const load = (family: string) => calibrationSchema.parse(JSON.parse(readFileSync(path.join(sourceDir, family, 'calibration.json'), 'utf8')));

describe('demo pack sources', () => {
  it('are synthetic and valid for all three families', () => {
    for (const family of demoFamilies) {
      const calibration = load(family);
      expect(calibration.synthetic).toBe(true);
      expect(packSourceSchema.parse(JSON.parse(readFileSync(path.join(sourceDir, family, 'pack.json'), 'utf8'))).synthetic).toBe(true);
      expect(calibration.test_plans[0]?.steps.length).toBeGreaterThan(0);
    }
  });

  it('carry the three coding formats as data', () => {
    const bosch = load('bosch-like-cri').coding;
    expect({ length: bosch.length, checksum: bosch.checksum }).toEqual({ length: 7, checksum: 'sum-mod-alphabet' });
    expect(bosch.alphabet).not.toMatch(/[JQ09]/);
    const denso = load('denso-like-g3').coding;
    expect({ length: denso.length, checksum: denso.checksum, alphabet: denso.alphabet }).toEqual({ length: 30, checksum: 'xor8', alphabet: '0123456789ABCDEF' });
    expect(denso.fields.filter((field) => field.kind === 'correction')).toHaveLength(13);
    const delphi = load('delphi-like-c2i').coding;
    expect({ length: delphi.length, alphabet: delphi.alphabet }).toEqual({ length: 16, alphabet: '0123456789ABCDEF' });
  });

  it('refuses a coding layout with gaps, overlaps or a checksum mismatch', () => {
    const denso = load('denso-like-g3').coding;
    expect(codingSchema.safeParse({ ...denso, length: 31 }).success).toBe(false);
    expect(codingSchema.safeParse({ ...denso, checksum: 'none' }).success).toBe(false);
    expect(codingSchema.safeParse({ ...denso, alphabet: '0123456789ABCDEA' }).success).toBe(false);
  });

  it('builds one pack file per family with provenance', () => {
    const provenance = { source_commit: 'a'.repeat(40), dirty: false, build_id: 'unit', build_time: '2026-01-01T00:00:00Z' };
    const built = buildPackFromSource(path.join(sourceDir, 'delphi-like-c2i'), provenance);
    expect(built.manifest).toMatchObject({ feature_id: 'delphi-like-c2i', version: '1.0.0', synthetic: true, provenance });
    expect(built.manifest.files.map((file) => file.path)).toEqual(['calibration.json']);
    expect(built.bytes.subarray(0, 8).toString()).toBe('INJPACK1');
  });
});

it('orders versions numerically', () => {
  expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
  expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
  expect(compareVersions('0.1.0', '1.0.0')).toBeLessThan(0);
});
