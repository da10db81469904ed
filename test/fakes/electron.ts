/**
 * A fake of the parts of 'electron' the adapter uses, recording every call. Vitest aliases 'electron'
 * to this file in the unit project; nothing here is used at run time.
 */
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;

export class FakeFrame {
  parent: FakeFrame | null = null;
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly mainFrame: FakeFrame;
  readonly sent: Array<{ channel: string; message: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  destroyed = false;

  constructor(url = 'app://bench/index.html') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  send(channel: string, message: unknown): void {
    this.sent.push({ channel, message });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  reloads = 0;
  reload(): void {
    this.reloads += 1;
  }
}

export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  shown = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
    this.emit('ready-to-show');
  }
  show(): void {
    this.shown = true;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
  isDestroyed(): boolean {
    return false;
  }
}

class FakeApp extends EventEmitter {
  singleInstanceLock = true;
  isPackaged = false;
  quitCalls = 0;
  userDataPath = '/tmp/injbench-fake-user-data';
  #ready: () => void = () => undefined;
  readonly #readyPromise = new Promise<void>((resolve) => (this.#ready = resolve));
  sandboxEnabled = false;
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstanceLock;
  }
  quit(): void {
    this.quitCalls += 1;
  }
  exit(): void {}
  whenReady(): Promise<void> {
    return this.#readyPromise;
  }
  /** Test helper: what Electron does once it has initialised. */
  becomeReady(): void {
    this.#ready();
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`fake app.getPath(${name}) not modelled`);
    return this.userDataPath;
  }
  version = '0.0.0-fake';
  getVersion(): string {
    return this.version;
  }
}

export const app = new FakeApp();

class FakeIpcMain {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, handler: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Test helper: what an invoke from a renderer frame looks like to main. */
  async invokeFrom(sender: FakeWebContents, frame: FakeFrame, channel: string, input: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender, senderFrame: frame }, input);
  }
}

export const ipcMain = new FakeIpcMain();

class FakeProtocol {
  readonly privileged: unknown[] = [];
  readonly handlers = new Map<string, (request: Request) => Promise<Response> | Response>();
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.privileged.push(...schemes);
  }
  handle(scheme: string, handler: (request: Request) => Promise<Response> | Response): void {
    this.handlers.set(scheme, handler);
  }
}

export const protocol = new FakeProtocol();

type BeforeRequestListener = (details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void;

class FakeWebRequest {
  beforeRequest: { filter: { urls: string[] }; listener: BeforeRequestListener } | null = null;
  onBeforeRequest(filter: { urls: string[] }, listener: BeforeRequestListener): void {
    this.beforeRequest = { filter, listener };
  }
}

class FakeSession {
  permissionRequestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  readonly webRequest = new FakeWebRequest();
  readonly listeners = new Map<string, Array<(...args: never[]) => void>>();
  on(event: string, listener: (...args: never[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setDevicePermissionHandler(handler: FakeSession['devicePermissionHandler']): void {
    this.devicePermissionHandler = handler;
  }
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
}

export const session = { defaultSession: new FakeSession() };

export const net = {
  /** Serves file:// URLs from disk, as Electron's net.fetch does. */
  async fetch(url: string): Promise<Response> {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    try {
      const body = await readFile(fileURLToPath(url));
      return new Response(body, { status: 200, headers: { 'content-type': url.endsWith('.html') ? 'text/html' : 'application/octet-stream' } });
    } catch {
      return new Response('missing', { status: 404 });
    }
  },
};

class FakeContextBridge {
  readonly exposed = new Map<string, unknown>();
  exposeInMainWorld(key: string, api: unknown): void {
    if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.exposed.set(key, api);
  }
}

export const contextBridge = new FakeContextBridge();

class FakeIpcRenderer extends EventEmitter {
  readonly invocations: Array<{ channel: string; input: unknown }> = [];
  reply: (channel: string, input: unknown) => unknown = () => ({ ok: true, value: null });
  async invoke(channel: string, input: unknown): Promise<unknown> {
    this.invocations.push({ channel, input });
    return this.reply(channel, input);
  }
}

export const ipcRenderer = new FakeIpcRenderer();

export default { app, BrowserWindow, ipcMain, protocol, session, net, contextBridge, ipcRenderer };
