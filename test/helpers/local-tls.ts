/**
 * TLS for tests, made the way an operator makes a private PKI: a local CA and a server certificate for
 * 127.0.0.1 and localhost signed by it, with the openssl command line (Debian's openssl; .ci/run installs
 * it). Clients are given the CA file, never told to skip verification. And an https client that trusts a
 * given CA, for the test process itself (fetch cannot be given one without another dependency).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';

export interface LocalTls {
  /** PEM files. */
  caCertFile: string;
  certFile: string;
  keyFile: string;
  ca: Buffer;
}

export function makeLocalTls(dir: string, names: readonly string[] = ['127.0.0.1', 'localhost']): LocalTls {
  const file = (name: string): string => path.join(dir, name);
  const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=Injector Bench test CA', '-keyout', file('ca.key'), '-out', file('ca.crt')]);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=injbench test server', '-keyout', file('server.key'), '-out', file('server.csr')]);
  const altNames = names.map((name) => (/^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  writeFileSync(file('server.ext'), `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('server.ext'), '-out', file('server.crt')]);
  return { caCertFile: file('ca.crt'), certFile: file('server.crt'), keyFile: file('server.key'), ca: readFileSync(file('ca.crt')) };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  bytes: Buffer;
}

/**
 * One https request that trusts `ca` (and only the default roots besides it). `localAddress` sends it from
 * another loopback address (127.0.0.2, …), as a second client on another machine would.
 */
export function httpsCall(url: string, options: { ca: Buffer; method?: string; headers?: Record<string, string>; body?: string; localAddress?: string }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers, ca: options.ca, timeout: 15_000, localAddress: options.localAddress }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: bytes.toString('utf8'), bytes });
      });
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer from ${url} within 15 s`)));
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
