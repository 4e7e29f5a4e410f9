import { afterEach, describe, expect, it, vi } from 'vitest';
import { activeTraceparent, inSpan, isTracing, jobPayload, startTracing, tracingRequested } from '../src/index.ts';

describe('tracing is off unless OTEL_* configures an exporter', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('asks for traces only with an exporter or an OTLP endpoint, and never with OTEL_SDK_DISABLED', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'assessment' })).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(
      false,
    );
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });

  it('starts no SDK when not configured: spans just run their work, nothing is carried', async () => {
    for (const name of ['OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
      vi.stubEnv(name, undefined);
    }
    expect(await startTracing({ serviceName: 'assessment' })).toBe(false);
    expect(isTracing()).toBe(false);
    expect(await inSpan('work', {}, async () => activeTraceparent())).toBeUndefined();
  });

  it('separates a job payload from the trace context a producer added to it', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(jobPayload({ outboxId: 3, traceparent })).toEqual({ payload: { outboxId: 3 }, traceparent });
    expect(jobPayload({ outboxId: 3 })).toEqual({ payload: { outboxId: 3 }, traceparent: undefined });
  });
});
