import type { InjectorLabel } from '../../../electron/contract/documents';
import { useT } from '../i18n/use-t';

/** The QR matrix from the services as one SVG path: the same modules the printed PDF draws. */
export function qrPath(rows: readonly string[], quiet = 4): string {
  let path = '';
  rows.forEach((row, y) => {
    let start = -1;
    for (let x = 0; x <= row.length; x += 1) {
      const dark = row[x] === '1';
      if (dark && start < 0) start = x;
      if (!dark && start >= 0) {
        path += `M${start + quiet} ${y + quiet}h${x - start}v1h-${x - start}z`;
        start = -1;
      }
    }
  });
  return path;
}

const fontStyle = {
  mono: { fontFamily: "'Courier New', Courier, monospace", fontWeight: 700 },
  sans: { fontFamily: 'Helvetica, Arial, sans-serif', fontWeight: 400 },
  bold: { fontFamily: 'Helvetica, Arial, sans-serif', fontWeight: 700 },
} as const;

/**
 * What the label printer will print, drawn from the very layout the PDF and the ZPL are made from (the
 * services compute it): the same lines, at the same places, in millimetres.
 */
export function LabelPreview({ label }: { label: InjectorLabel }) {
  const t = useT();
  const { layout } = label;
  const modules = label.qr.size + 8;
  return (
    <figure className="label-preview" data-testid="label-preview" aria-labelledby="label-caption">
      <svg
        className="label-preview__sheet"
        viewBox={`0 0 ${layout.widthMm} ${layout.heightMm}`}
        role="img"
        aria-label={t('label.sheet', { code: label.codeGrouped, part: label.partNumber, serial: label.serial })}
        data-testid="label-sheet"
      >
        <rect width={layout.widthMm} height={layout.heightMm} fill="#ffffff" stroke="#8a8a8a" strokeWidth={0.2} />
        {layout.items.map((item, index) =>
          item.kind === 'qr' ? (
            <svg
              key={index}
              x={item.xMm}
              y={item.yMm}
              width={item.sideMm}
              height={item.sideMm}
              viewBox={`0 0 ${modules} ${modules}`}
              shapeRendering="crispEdges"
              data-testid="label-qr"
              data-qr-text={label.qr.text}
            >
              <rect width={modules} height={modules} fill="#ffffff" />
              <path d={qrPath(label.qr.rows)} fill="#000000" />
            </svg>
          ) : (
            <text
              key={index}
              x={item.xMm}
              y={item.baselineMm}
              fontSize={item.sizeMm}
              {...fontStyle[item.font]}
              fill={item.role === 'note' ? '#595959' : '#000000'}
              data-role={item.role}
              {...(item.role === 'code' ? { 'data-testid': 'label-code' } : {})}
              xmlSpace="preserve"
            >
              {item.text}
            </text>
          ),
        )}
      </svg>
      <figcaption id="label-caption" className="visually-hidden">
        {t('label.caption')}
      </figcaption>
    </figure>
  );
}
