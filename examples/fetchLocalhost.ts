// Why does a plain `fetch` use a thread? Run "Show Concurrency Diagram" on this file and look at
// the threadpool lanes.
//
// The story behind Concurrency Diagram: a Python asyncio script showed ThreadPoolExecutor threads in
// a concurrency diagram although it never asked for threads. The cause was the name lookup: a host
// name is resolved with the blocking getaddrinfo(), so the event loop hands it to worker threads.
//
// Node.js does the same. `fetch('http://localhost:…')` calls dns.lookup(), which runs getaddrinfo()
// on the libuv threadpool: a GETADDRINFOREQWRAP bar appears on a threadpool lane, and clicking it
// brings you back to the fetch line below. The same request to the IP literal 127.0.0.1 needs no
// lookup, so the second round leaves the threadpool alone.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((_req, res) => res.end('hello\n'));
// Port 0: the OS picks a free port. No host: listen on every local address (IPv4 and IPv6), so that
// `localhost` works whichever address the lookup returns first.
server.listen(0);
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as AddressInfo;

async function getByName(i: number): Promise<string> {
  const res = await fetch(`http://localhost:${port}/?by=name&i=${i}`);
  return res.text();
}

async function getByAddress(i: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/?by=address&i=${i}`);
  return res.text();
}

// Three requests by host name: three getaddrinfo jobs on the threadpool.
await Promise.all([1, 2, 3].map(getByName));
// Three requests by IP address: no lookup, nothing on the threadpool.
await Promise.all([1, 2, 3].map(getByAddress));

server.close();
console.log(`fetched from port ${port} by name and by address`);
