/**
 * Serial port discovery: the ports `serialport` lists, filtered by the USB vendor and product ids the
 * bench controller is configured with. On Linux the listing runs `udevadm`; without it we say so.
 */
import { SerialPort } from 'serialport';
import { BenchLinkError } from './driver';

export interface DiscoveredPort {
  path: string;
  vendorId: string | null;
  productId: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
}

export interface PortFilter {
  /** Hex USB ids as udev shows them, e.g. 0403 / 6001; compared case-insensitively. */
  vendorId?: string;
  productId?: string;
}

type Lister = () => Promise<Array<{ path: string; vendorId?: string; productId?: string; manufacturer?: string; serialNumber?: string }>>;

export async function discoverPorts(filter: PortFilter = {}, list: Lister = () => SerialPort.list()): Promise<DiscoveredPort[]> {
  let ports;
  try {
    ports = await list();
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    if (failure.code === 'ENOENT' || /udevadm/.test(failure.message ?? '')) {
      throw new BenchLinkError(
        'DISCOVERY_UNAVAILABLE',
        'port discovery needs udevadm (Debian package "udev"), which is not available here; give the port with --port /dev/ttyUSB0 or tcp://HOST:PORT instead',
        undefined,
        { cause: error },
      );
    }
    throw new BenchLinkError('DISCOVERY_UNAVAILABLE', `cannot list serial ports: ${failure.message ?? String(error)}`, undefined, { cause: error });
  }
  const same = (wanted: string | undefined, actual: string | undefined) => wanted === undefined || wanted.toLowerCase() === (actual ?? '').toLowerCase();
  return ports
    .filter((port) => same(filter.vendorId, port.vendorId) && same(filter.productId, port.productId))
    .map((port) => ({
      path: port.path,
      vendorId: port.vendorId ?? null,
      productId: port.productId ?? null,
      manufacturer: port.manufacturer ?? null,
      serialNumber: port.serialNumber ?? null,
    }));
}
