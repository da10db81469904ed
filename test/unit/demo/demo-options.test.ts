import { describe, expect, it } from 'vitest';
import { DEMO_CENTRAL_SERVER_PORT, DEMO_SPEED, demoOptionsFromArgv } from '../../../demo/demo';

/** What Electron's process.argv looks like for `npm start -- …`: the binary, the app directory, then the options. */
const argv = (...options: string[]) => ['/opt/electron/electron', '/work/app', ...options];

describe('demo options of the Electron command line (the same words as injbench workspace)', () => {
  it('no demo without --demo, whatever else is given', () => {
    expect(demoOptionsFromArgv(argv())).toBeNull();
    expect(demoOptionsFromArgv(argv('--workspace', '--central-server', '9000'))).toBeNull();
  });

  it('--demo runs the local central server on 8780 at the default speed', () => {
    expect(DEMO_CENTRAL_SERVER_PORT).toBe(8780);
    expect(demoOptionsFromArgv(argv('--demo'))).toEqual({ speed: DEMO_SPEED, centralServer: 8780 });
  });

  it('takes the port in both spellings, 0 for a free one, and --no-central-server for none', () => {
    expect(demoOptionsFromArgv(argv('--demo', '--central-server', '8791'))).toEqual({ speed: 20, centralServer: 8791 });
    expect(demoOptionsFromArgv(argv('--demo', '--central-server=0', '--speed', '40'))).toEqual({ speed: 40, centralServer: 0 });
    expect(demoOptionsFromArgv(argv('--no-central-server', '--demo'))).toEqual({ speed: 20, centralServer: false });
    // Chromium's own switches pass through untouched.
    expect(demoOptionsFromArgv(argv('--demo', '--enable-logging', '--no-central-server'))).toEqual({ speed: 20, centralServer: false });
  });

  it('refuses a bad port or speed with a typed error naming the option', () => {
    expect(() => demoOptionsFromArgv(argv('--demo', '--central-server', '70000'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('--central-server') }));
    expect(() => demoOptionsFromArgv(argv('--demo', '--central-server'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => demoOptionsFromArgv(argv('--demo', '--central-server', '--no-sandbox'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => demoOptionsFromArgv(argv('--demo', '--speed', '0'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('--speed') }));
  });
});
