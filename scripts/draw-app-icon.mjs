// Draws the app icon (resources/build/icon.png, 512x512) that electron-builder turns into the Linux and
// Windows icons: an injector body with its nozzle and a spray cone, on the bench window's dark blue.
// Drawn from code so the icon can be changed by review, not by a binary nobody can diff.
//
//   node scripts/draw-app-icon.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ICON_SIZE = 512;

const background = [16, 21, 28];
const steel = [186, 198, 212];
const accent = [245, 166, 35];

/** The colour of one pixel centre, with 4x4 supersampling for smooth edges; null is transparent. */
function shade(x, y) {
  const s = ICON_SIZE;
  const inRoundedSquare = (px, py) => {
    const r = s * 0.18;
    const cx = Math.min(Math.max(px, r), s - r);
    const cy = Math.min(Math.max(py, r), s - r);
    return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
  };
  if (!inRoundedSquare(x, y)) return null;
  const mid = s / 2;
  // Injector: connector head, body, nozzle (a narrowing trapezoid), then the spray cone.
  if (Math.abs(x - mid) < s * 0.11 && y > s * 0.12 && y < s * 0.2) return steel;
  if (Math.abs(x - mid) < s * 0.07 && y >= s * 0.2 && y < s * 0.52) return steel;
  if (y >= s * 0.52 && y < s * 0.62) {
    const t = (y - s * 0.52) / (s * 0.1);
    if (Math.abs(x - mid) < s * (0.07 - 0.045 * t)) return steel;
  }
  if (y >= s * 0.66 && y < s * 0.88) {
    const t = (y - s * 0.66) / (s * 0.22);
    const half = s * (0.02 + 0.16 * t);
    const dx = Math.abs(x - mid);
    // Three jets: centre and two flanks of the cone.
    if (dx < half && (dx < s * 0.012 + t * s * 0.01 || Math.abs(dx - half * 0.8) < s * 0.012 + t * s * 0.01)) return accent;
  }
  return background;
}

export function drawIcon() {
  const s = ICON_SIZE;
  const rows = Buffer.alloc(s * (1 + s * 4));
  for (let y = 0; y < s; y += 1) {
    const row = y * (1 + s * 4);
    rows[row] = 0;
    for (let x = 0; x < s; x += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < 4; sy += 1) {
        for (let sx = 0; sx < 4; sx += 1) {
          const colour = shade(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
          if (!colour) continue;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a += 1;
        }
      }
      const offset = row + 1 + x * 4;
      rows[offset] = a ? Math.round(r / a) : 0;
      rows[offset + 1] = a ? Math.round(g / a) : 0;
      rows[offset + 2] = a ? Math.round(b / a) : 0;
      rows[offset + 3] = Math.round((a / 16) * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(s, 0);
  header.writeUInt32BE(s, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = path.join(root, 'resources', 'build', 'icon.png');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, drawIcon());
  console.log(`Wrote ${path.relative(root, file)} (${ICON_SIZE}x${ICON_SIZE}).`);
}
