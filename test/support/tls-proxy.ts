/**
 * An HTTPS front with a self-signed certificate (made with openssl for 127.0.0.1) for an HTTP
 * server, as a PIM behind a company proxy whose CA this machine does not trust: the connection
 * Tests' certificate failure on a real TLS handshake.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface TlsProxy {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The self-signed certificate (PEM): what NODE_EXTRA_CA_CERTS would name. */
  certFile: string;
  close(): Promise<void>;
}

export async function startSelfSignedProxy(target: string, dir: string): Promise<TlsProxy> {
  const certFile = join(dir, 'proxy-cert.pem');
  const keyFile = join(dir, 'proxy-key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const to = new URL(target);
  const server = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    const upstream = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    certFile,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
