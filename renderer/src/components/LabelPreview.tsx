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

/** What the label printer will print, on screen before it does: code large, part, serial, date, QR. */
export function LabelPreview({ label }: { label: InjectorLabel }) {
  const t = useT();
  const side = label.qr.size + 8;
  return (
    <figure className="label-preview" data-testid="label-preview" aria-labelledby="label-caption">
      <div className="label-preview__text">
        <p className="label-preview__code" data-testid="label-code">
          {label.code}
        </p>
        <dl className="label-preview__facts">
          <div>
            <dt>{t('label.part')}</dt>
            <dd>{label.partNumber}</dd>
          </div>
          <div>
            <dt>{t('label.serial')}</dt>
            <dd>{label.serial}</dd>
          </div>
          <div>
            <dt>{t('label.date')}</dt>
            <dd>{label.date}</dd>
          </div>
        </dl>
      </div>
      <svg className="label-preview__qr" viewBox={`0 0 ${side} ${side}`} role="img" aria-label={t('label.qr', { text: label.qr.text })} data-testid="label-qr" data-qr-text={label.qr.text} shapeRendering="crispEdges">
        <rect width={side} height={side} fill="#ffffff" />
        <path d={qrPath(label.qr.rows)} fill="#000000" />
      </svg>
      <figcaption id="label-caption" className="visually-hidden">
        {t('label.caption')}
      </figcaption>
    </figure>
  );
}
