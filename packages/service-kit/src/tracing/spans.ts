import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';
import { isTracing, serviceAttribute } from './tracing-sdk.ts';

export type TracedService = 'evidence-collector' | 'assessment' | 'certification-body';

/** The W3C trace context of the active span (`traceparent`, and `tracestate` when set); empty when tracing is off. */
export function traceHeaders(): Record<string, string> {
  if (!isTracing()) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The active span's `traceparent`, to store beside work that continues later (outbox rows, jobs). */
export function activeTraceparent(): string | undefined {
  return traceHeaders().traceparent;
}

export interface SpanOptions {
  /** The service running `work`; absent, that of the active span. */
  service?: TracedService;
  kind?: SpanKind;
  /** A stored `traceparent` to continue; absent (or null), the span is a child of the active one. */
  parent?: string | null | undefined;
  attributes?: Attributes;
}

/** The service whose code runs now: that of the active span (a recording span of ours carries it). */
function serviceOfActiveSpan(): string | undefined {
  const active = trace.getSpan(context.active()) as { attributes?: Attributes } | undefined;
  const service = active?.attributes?.[serviceAttribute];
  return typeof service === 'string' ? service : undefined;
}

/** Runs `work` inside a new active span (ended when it settles, an error recorded on it); just runs it when off. */
export async function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  if (!isTracing()) return work();
  const parent = options.parent ? propagation.extract(ROOT_CONTEXT, { traceparent: options.parent }) : context.active();
  const tracer = trace.getTracer('@cabc/service-kit');
  const service = options.service ?? serviceOfActiveSpan();
  const attributes = { ...options.attributes, ...(service ? { [serviceAttribute]: service } : {}) };
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
