import { describe, expect, it } from 'vitest';
import { guardDownloads, isAllowedDownload } from '../../../electron/main/downloads';

describe('downloads from the app window', () => {
  it('lets the page save its own PDFs and support bundles, nothing else', () => {
    expect(isAllowedDownload('blob:app://bench/4b0c1f0e-1', 'label_SYN-0445110-001_INJ-1_2026-11-22.pdf')).toBe(true);
    expect(isAllowedDownload('blob:app://bench/4b0c1f0e-1', 'support-bundle_bench-0123456789abcdef_20261122T0800.json')).toBe(true);
    expect(isAllowedDownload('https://evil.example/x.pdf', 'x.pdf')).toBe(false);
    expect(isAllowedDownload('blob:https://evil.example/1', 'x.pdf')).toBe(false);
    expect(isAllowedDownload('blob:app://bench/1', 'run.sh')).toBe(false);
    expect(isAllowedDownload('blob:app://bench/1', '../../etc/passwd.pdf')).toBe(false);
    expect(isAllowedDownload('blob:app://bench/1', '.hidden.pdf')).toBe(false);
  });

  it('cancels a download that is not allowed', () => {
    const listeners: Array<(event: { preventDefault(): void }, item: { getURL(): string; getFilename(): string }) => void> = [];
    guardDownloads({ on: ((_: string, listener: (typeof listeners)[number]) => listeners.push(listener)) as never });
    const outcome = (url: string, name: string): boolean => {
      let prevented = false;
      listeners[0]?.({ preventDefault: () => (prevented = true) }, { getURL: () => url, getFilename: () => name });
      return prevented;
    };
    expect(listeners).toHaveLength(1);
    expect(outcome('blob:app://bench/1', 'report_A_B_2026-11-22.pdf')).toBe(false);
    expect(outcome('http://127.0.0.1:9/x.exe', 'x.exe')).toBe(true);
  });
});
