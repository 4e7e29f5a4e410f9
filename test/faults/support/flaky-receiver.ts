import { createServer } from 'node:http';
import { freePort } from '@cabc/local-servers';

/** An HTTP receiver that answers 503 to everything until `accept()`, then 200; it counts the requests it got. */
export async function startFlakyReceiver() {
  let accepting = false;
  let hits = 0;
  const server = createServer((request, response) => {
    hits += 1;
    request.resume();
    request.on('end', () => {
      response.writeHead(accepting ? 200 : 503, { 'content-type': 'application/json' });
      response.end(accepting ? '{"ok":true}' : '{"title":"unavailable"}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/v1/evidence`,
    hits: () => hits,
    accept: () => {
      accepting = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
