/**
 * Printing through the operating system's print system with the CUPS client (`lp`, as on every Linux and
 * macOS workshop PC): the PDF goes to a named queue on stdin, and CUPS's answer is turned into a typed
 * error with what to do. The queue's server is the system's (or CUPS_SERVER's), never chosen here.
 */
import { spawn } from 'node:child_process';
import { ServiceError } from '../service-error';

export interface SystemPrinter {
  /** Prints a PDF on the named queue; resolves with the print system's job id when it gives one. */
  print(queue: string, pdf: Uint8Array, title: string): Promise<{ jobRef: string | null }>;
}

function typedFailure(queue: string, message: string): ServiceError {
  const text = message.trim() || 'no message';
  // The print system's own words (CUPS speaks the machine's language) are the specifics; the sentence around them is the catalog's.
  const params = { queue, said: text.replace(/[.\s]+$/, '') };
  if (/does not exist|not found|Unknown destination/i.test(text)) {
    return new ServiceError('PRINT_QUEUE_NOT_FOUND', `There is no printer queue "${queue}" on this computer (${text}). Choose an existing queue in Settings (lpstat -e lists them).`, { params });
  }
  if (/not accepting|rejecting|disabled|stopped/i.test(text)) {
    return new ServiceError('PRINT_QUEUE_REFUSED', `The printer queue "${queue}" refuses jobs (${text}). Ask whoever looks after the printers to enable it (cupsenable / cupsaccept), or choose another queue in Settings.`, { params });
  }
  if (/scheduler is not running|unable to connect|connection refused|bad file descriptor/i.test(text)) {
    return new ServiceError('PRINT_SYSTEM_UNAVAILABLE', `The print system (CUPS) is not running on this computer (${text}). Start it (systemctl start cups) or download the PDF instead.`, { params });
  }
  return new ServiceError('PRINT_FAILED', `The print system did not take the job for "${queue}": ${text}. Download the PDF and print it by hand.`, { params });
}

export const cupsPrinter: SystemPrinter = {
  print: (queue, pdf, title) =>
    new Promise((resolve, reject) => {
      // "--" ends the options: the queue and title are validated, but never read as options either way.
      const child = spawn('lp', ['-d', queue, '-t', title.replace(/[^\x20-\x7e]/g, '?').slice(0, 120), '--', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new ServiceError('PRINT_SYSTEM_UNAVAILABLE', 'The CUPS print client (lp) is not installed on this computer. Install CUPS (apt-get install cups-client), or download the PDF instead.', { cause: error, params: { queue, said: `lp: ${error.code}` } })
            : typedFailure(queue, error.message),
        );
      });
      child.stdin.on('error', () => undefined);
      child.once('close', (code) => {
        if (code === 0) resolve({ jobRef: /request id is (\S+)/.exec(stdout)?.[1] ?? null });
        else reject(typedFailure(queue, stderr || stdout));
      });
      child.stdin.end(Buffer.from(pdf));
    }),
};
