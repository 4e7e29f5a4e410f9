import type { FastifyRequest } from 'fastify';
import { formats, isFormatId, parseJsonSafely, AdapterError, type FormatId } from '@cabc/adapters';
import { findUnstorableText, unstorableTextReason, type ResourceDescriptor } from '@cabc/contracts';
import { BadRequestProblem, HttpProblem, UnstorableTextProblem } from '@cabc/http-kit';
import type { z } from 'zod';
import { unifiedEvidenceSchema, type submitQuerySchema } from './evidence.schemas.ts';
import type { SubmissionInput, UploadedFile } from './evidence.service.ts';
import { parseSubjectReference } from './subject-reference.ts';
import {
  adapterProblem,
  PayloadTooLargeProblem,
  UnsupportedMediaTypeProblem,
  validationProblem,
} from './submission-problems.ts';

/** At most this many files in one multipart request. */
export const MAX_FILES_PER_REQUEST = 100;

type SubmitQuery = z.output<typeof submitQuerySchema>;

function subjectsFrom(values: readonly string[], field: string): ResourceDescriptor[] {
  return values.map((value, index) => {
    const parsed = parseSubjectReference(value);
    if (typeof parsed === 'string')
      throw new BadRequestProblem(`${field}: ${parsed}`, [
        { field: values.length > 1 ? `${field}[${index}]` : field, message: parsed },
      ]);
    return parsed;
  });
}

function mediaTypeOf(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The unified JSON document: parsed with the adapters' safe parser (depth limit, no prototype keys), then validated. */
function unifiedFrom(body: Buffer): SubmissionInput {
  let document: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    document = parseJsonSafely(text);
  } catch (error) {
    if (error instanceof AdapterError) throw adapterProblem(error);
    if (error instanceof TypeError)
      throw new BadRequestProblem('the body is not UTF-8 text', [{ field: 'body', message: 'not UTF-8' }]);
    throw error;
  }
  const unstorable = findUnstorableText(document);
  if (unstorable) throw new UnstorableTextProblem(unstorable);
  const parsed = unifiedEvidenceSchema.safeParse(document);
  if (!parsed.success) throw validationProblem(parsed.error);
  return { mode: 'unified', evidence: parsed.data };
}

/**
 * Reads POST /v1/evidence in one of its three forms: multipart/form-data (fields toe, format, model; `file` parts),
 * a native tool file as the body (`?toe=`), or the unified JSON document (application/json without `?toe=`).
 */
export async function readSubmission(
  request: FastifyRequest,
  query: SubmitQuery,
  limits: { bodyLimitBytes: number },
): Promise<SubmissionInput> {
  if (request.isMultipart()) {
    const named = (['toe', 'format', 'model', 'subject', 'filename'] as const).filter(
      (name) => query[name] !== undefined,
    );
    if (named.length > 0) {
      throw new BadRequestProblem(
        'a multipart upload takes its parameters as form fields, not in the query',
        named.map((name) => ({ field: `query:${name}`, message: 'send it as a form field' })),
      );
    }
    return readMultipart(request, limits);
  }
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (query.toe !== undefined) {
    const subjects = [
      ...subjectsFrom(query.model ?? [], 'query:model'),
      ...subjectsFrom(query.subject ?? [], 'query:subject'),
    ];
    const file: UploadedFile = { bytes: body, filename: query.filename, mediaType: request.headers['content-type'] };
    return { mode: 'native', toe: query.toe, format: query.format, subjects, files: [file] };
  }
  const extra = (['format', 'model', 'subject', 'filename'] as const).filter((name) => query[name] !== undefined);
  if (extra.length > 0) {
    throw new BadRequestProblem('format, model, subject and filename go with a native file, which needs ?toe=', [
      { field: 'query:toe', message: `required with ${extra.join(', ')}` },
    ]);
  }
  const mediaType = mediaTypeOf(request);
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new UnsupportedMediaTypeProblem(
      `${mediaType || 'no content type'}: send unified evidence as application/json, a native tool file with ?toe=<id>, or files as multipart/form-data`,
    );
  }
  return unifiedFrom(body);
}

const formFields = new Set(['toe', 'format', 'model', 'subject']);

async function readMultipart(request: FastifyRequest, limits: { bodyLimitBytes: number }): Promise<SubmissionInput> {
  const fields = new Map<string, string[]>();
  const files: UploadedFile[] = [];
  let total = 0;
  try {
    const parts = request.parts({
      limits: {
        fileSize: limits.bodyLimitBytes,
        files: MAX_FILES_PER_REQUEST,
        fields: 40,
        fieldSize: 4096,
        parts: MAX_FILES_PER_REQUEST + 40,
      },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new BadRequestProblem(`file parts are named "file", not "${part.fieldname}"`, [
            { field: part.fieldname, message: 'unknown file field' },
          ]);
        }
        const nameProblem = part.filename ? unstorableTextReason(part.filename) : undefined;
        if (nameProblem)
          throw new BadRequestProblem(`file[${files.length}] name ${nameProblem}`, [
            { field: `file[${files.length}]`, message: `file name ${nameProblem}` },
          ]);
        const bytes = await part.toBuffer();
        total += bytes.length;
        if (total > limits.bodyLimitBytes) {
          throw new PayloadTooLargeProblem(
            `the files together exceed the body limit of ${limits.bodyLimitBytes} bytes`,
            `file[${files.length}]`,
          );
        }
        files.push({
          bytes,
          filename: part.filename ? part.filename.split(/[/\\]/).at(-1) : undefined,
          mediaType: part.mimetype,
        });
      } else {
        if (!formFields.has(part.fieldname)) {
          throw new BadRequestProblem(
            `unknown form field "${part.fieldname}"; expected toe, format, model, subject and file parts`,
            [{ field: part.fieldname, message: 'unknown member' }],
          );
        }
        if (part.valueTruncated)
          throw new PayloadTooLargeProblem(`form field ${part.fieldname} is longer than 4096 bytes`, part.fieldname);
        const value = String(part.value);
        const reason = unstorableTextReason(value);
        if (reason)
          throw new BadRequestProblem(`form field ${part.fieldname} ${reason}`, [
            { field: part.fieldname, message: reason },
          ]);
        fields.set(part.fieldname, [...(fields.get(part.fieldname) ?? []), value]);
      }
    }
  } catch (error) {
    throw multipartProblem(error, limits.bodyLimitBytes, files.length);
  }

  const single = (name: string): string | undefined => {
    const values = fields.get(name);
    if (values && values.length > 1)
      throw new BadRequestProblem(`form field ${name} is given ${values.length} times`, [
        { field: name, message: 'given more than once' },
      ]);
    return values?.[0];
  };
  const toe = single('toe');
  if (!toe || toe.length > 256)
    throw new BadRequestProblem('form field toe (the target of evaluation, 1–256 characters) is required', [
      { field: 'toe', message: 'required' },
    ]);
  const format = single('format');
  if (format !== undefined && !isFormatId(format)) {
    throw new BadRequestProblem(`unknown format "${format}"`, [
      { field: 'format', message: `expected one of ${formats.join(', ')}` },
    ]);
  }
  if (files.length === 0)
    throw new BadRequestProblem('a multipart upload needs at least one part named "file"', [
      { field: 'file', message: 'required' },
    ]);
  const subjects = [
    ...subjectsFrom(fields.get('model') ?? [], 'model'),
    ...subjectsFrom(fields.get('subject') ?? [], 'subject'),
  ];
  return { mode: 'multipart', toe, format: format as FormatId | undefined, subjects, files };
}

/** The multipart plugin's and busboy's errors as problems; ours pass through. */
function multipartProblem(error: unknown, bodyLimit: number, fileIndex: number): unknown {
  if (error instanceof HttpProblem) return error;
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new PayloadTooLargeProblem(
        `file[${fileIndex}] is larger than the body limit of ${bodyLimit} bytes`,
        `file[${fileIndex}]`,
      );
    case 'FST_FILES_LIMIT':
      return new PayloadTooLargeProblem(`at most ${MAX_FILES_PER_REQUEST} files per request`, 'file');
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new PayloadTooLargeProblem('too many form fields', 'body');
    case 'FST_PROTO_VIOLATION':
      return new BadRequestProblem('a form field is named after a prototype property', [
        { field: 'body', message: 'forbidden field name' },
      ]);
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return new BadRequestProblem(`malformed multipart body: ${message}`, [{ field: 'body', message }]);
    }
  }
}
