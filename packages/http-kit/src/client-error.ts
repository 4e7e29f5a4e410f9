import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** Node's parser errors that a client caused, by code: the status and the problem's field. */
const clientErrors: Record<string, { status: number; field?: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, field: 'header', detail: 'the request headers exceed the server’s limit' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'the request did not arrive in time' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, field: 'body', detail: 'chunk extensions exceed the limit' },
};

/**
 * Fastify's `clientErrorHandler`: errors of Node's HTTP parser (headers too large, malformed request line...) before
 * any request exists. Answered as problem+json on the raw socket, as every other error answer is.
 */
export function sendClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = clientErrors[error.code ?? ''] ?? { status: 400, detail: 'the request is not valid HTTP' };
  const slug = (STATUS_CODES[known.status] ?? 'Bad Request').toLowerCase().replaceAll(' ', '-');
  const title = STATUS_CODES[known.status] ?? 'Bad Request';
  const body = JSON.stringify({
    type: `https://cabc.dev/problems/${slug}`,
    title: title.charAt(0) + title.slice(1).toLowerCase(),
    status: known.status,
    detail: known.detail,
    instance: '',
    requestId: '',
    ...(known.field ? { errors: [{ field: known.field, message: known.detail }] } : {}),
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${title}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
