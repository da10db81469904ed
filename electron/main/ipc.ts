/**
 * IPC registration: one ipcMain.handle per contract method, behind the `bench:` prefix. Every call is
 * checked to come from the app's own window and main frame before it reaches the dispatcher.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { benchMethodNames, ipcChannelFor } from '../contract/channels';
import { fail } from '../contract/envelope';
import type { Dispatch } from '../services/dispatcher';
import { isAppUrl } from './app-protocol';

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/** Trusted: sent by the given window's top-level frame while it shows an app:// page. */
export function createSenderCheck(trustedContents: () => WebContents | null): SenderCheck {
  return (event) => {
    const contents = trustedContents();
    const frame = event.senderFrame;
    if (!contents || contents.isDestroyed() || !frame) return false;
    if (event.sender.id !== contents.id) return false;
    if (frame !== contents.mainFrame || frame.parent !== null) return false;
    return isAppUrl(frame.url);
  };
}

export function registerBenchIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, dispatch: Dispatch, isTrusted: SenderCheck): () => void {
  for (const method of benchMethodNames) {
    ipcMain.handle(ipcChannelFor(method), async (event, input: unknown) => {
      if (!isTrusted(event)) return fail('FORBIDDEN', 'This window may not call the bench services.');
      return dispatch(method, input);
    });
  }
  return () => {
    for (const method of benchMethodNames) ipcMain.removeHandler(ipcChannelFor(method));
  };
}
