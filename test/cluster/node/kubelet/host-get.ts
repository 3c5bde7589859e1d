// Test support: GET / of a pod's server from the host, failing with node:http's own error (ECONNREFUSED, …). I/O.
import { get } from 'node:http';

export function hostGet(host: string, port: number): Promise<string> {
  return new Promise((ok, fail) => {
    get({ host, port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => ok(body));
    }).on('error', fail);
  });
}
