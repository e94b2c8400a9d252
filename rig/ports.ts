// Free loopback ports. All are reserved at once (every listener open before any is closed) so one
// rig never gets the same port twice; another process can still race us between close and the
// component's bind, which then fails with "address already in use" and a clear error.
import { createServer, type Server } from 'node:net';

export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', resolve);
      });
      const addr = s.address();
      if (addr === null || typeof addr === 'string') throw new Error('rig: cannot read a listening port');
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => {
              resolve();
            });
          }),
      ),
    );
  }
}

/** Whether something accepts connections on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => {
      resolve(true);
    });
    s.listen(port, '127.0.0.1', () => {
      s.close(() => {
        resolve(false);
      });
    });
  });
}
