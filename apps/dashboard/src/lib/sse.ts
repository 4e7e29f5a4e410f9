/**
 * Server-Sent Events over fetch (so the request can carry `Authorization: Bearer …`, which EventSource cannot).
 * Used by the browser app, by the dashboard server (to read the assessment service's stream) and by tests.
 */

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Incremental parser of the text/event-stream format (WHATWG HTML §9.2.6). */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  /** Feeds a chunk of text; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const skip = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + skip);
      if (line === '') {
        if (this.data.length > 0)
          messages.push({
            event: this.event || 'message',
            data: this.data.join('\n'),
            ...(this.id !== undefined ? { id: this.id } : {}),
          });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id') this.id = value;
    }
    return messages;
  }
}

export function formatSse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Opens an event stream and calls `onMessage` for each message until the stream ends or `signal` aborts.
 * Resolves when the stream ends; rejects with the HTTP status when the answer is not a stream.
 */
export async function readEventStream(
  url: string,
  options: {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    onOpen?: () => void;
    onMessage: (message: SseMessage) => void;
  },
): Promise<void> {
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...options.headers },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok || !response.body) {
    const error = new Error(`event stream ${url} answered ${response.status}`) as Error & { status?: number };
    error.status = response.status;
    throw error;
  }
  options.onOpen?.();
  const parser = new SseParser();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) options.onMessage(message);
    }
  } finally {
    reader.releaseLock();
  }
}
