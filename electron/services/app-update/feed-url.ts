/**
 * Where the app looks for updates: the `app-updates/` folder of the bench's central server, served with
 * electron-updater's generic provider. `injbench release app-publish` (with the central server, not built
 * yet) will upload there.
 */
import { ServiceError } from '../service-error';

export const APP_UPDATE_FEED_PATH = 'app-updates/';

/**
 * The channel file carries the installer's sha512, so whoever can change it in transit can swap the
 * installer: plain http is accepted only on the loopback interface (a server on the bench PC itself).
 */
export function appUpdateFeedUrl(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new ServiceError('INVALID_ARGUMENT', `The central server URL "${serverUrl}" is not a URL; app updates stay off.`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ServiceError('INVALID_ARGUMENT', `App updates need an https:// central server URL (got ${url.protocol}//${url.host}); app updates stay off.`);
  }
  if (url.username || url.password) {
    throw new ServiceError('INVALID_ARGUMENT', 'The central server URL must not carry a user name or password; app updates stay off.');
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return new URL(APP_UPDATE_FEED_PATH, url).toString();
}
