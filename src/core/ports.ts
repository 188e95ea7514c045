/**
 * Ports: what the core needs from the outside world, named after that need.
 * Adapters (local directory, S3) implement them; the core never imports an SDK or `fs`.
 */

/** One stored object, with a key relative to the data root (always `/`-separated). */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** S3 ETag or a local fingerprint; shown in provenance. */
  readonly etag?: string;
  /** S3 version id when the bucket is versioned. */
  readonly versionId?: string;
}

/**
 * The data root: `exports/` (read only, never modified) and `reports/` (written by the job).
 * Keys are relative to the root, e.g. `exports/2026-Q3/clients.csv`.
 */
export interface ExportStore {
  /** Human-readable location of the root, for messages: `./data` or `s3://bucket/prefix`. */
  readonly location: string;
  /** Every object whose key starts with `prefix`, recursively, in key order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /**
   * Streams an object's bytes; rejects with `ObjectNotFoundError` when absent. `listed` is
   * the object as `list` gave it: a store that can resume an interrupted read (S3) reads
   * until it has that many bytes of that version, or rejects with `IncompleteReadError`.
   */
  read(key: string, listed?: ListedVersion): AsyncIterable<Uint8Array>;
  /**
   * `read` where a chunk may reuse the memory of the one before: each is valid only until
   * the next is asked for. For readers that consume each chunk at once; optional.
   */
  readTransient?(key: string, listed?: ListedVersion): AsyncIterable<Uint8Array>;
  /** Reads a small object whole as UTF-8, or `undefined` when it does not exist. */
  readText(key: string): Promise<string | undefined>;
  /** Writes an object whole. Only keys under `reports/` are ever written. */
  write(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /**
   * Writes an object only if no object exists at `key` (S3 `If-None-Match: *`, or an
   * exclusive create on disk), atomically: of two concurrent callers exactly one gets
   * `true`. Resolves `false`, writing nothing, when the key already exists.
   */
  createIfAbsent(key: string, body: string | Uint8Array, contentType: string): Promise<boolean>;
  /**
   * Reads a small object whole as UTF-8 together with a token of its current version (S3's
   * ETag), for `replaceIfUnchanged`; `undefined` when it does not exist. Optional: a store
   * without it (and `replaceIfUnchanged`) cannot hold the delivery ledger, and `--send`
   * refuses to use it.
   */
  readVersioned?(key: string): Promise<VersionedText | undefined>;
  /**
   * Replaces the object at `key` only if it is still at `version` (S3 `If-Match`; a
   * version-named lock file on disk), atomically: of concurrent callers holding one version,
   * at most one gets `true`. Resolves `false`, writing nothing, when the object changed or
   * is gone. Only keys under `reports/` are ever written.
   */
  replaceIfUnchanged?(
    key: string,
    body: string | Uint8Array,
    contentType: string,
    version: string,
  ): Promise<boolean>;
}

/** A small object's text with a token of the version read (`readVersioned`). */
export interface VersionedText {
  readonly text: string;
  readonly version: string;
}

/** What a reader knows of an object from the listing: how long it is, and which version. */
export type ListedVersion = Pick<StoredObject, 'size' | 'etag'>;

/**
 * An object that could not be read to its end: the connection kept stalling or ending
 * early, or the object changed while it was read. `reason` says which, for the message.
 */
export class IncompleteReadError extends Error {
  override readonly name = 'IncompleteReadError';
  constructor(
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`'${key}' could not be read in full: ${reason}`, options);
  }
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`no object at '${key}'`, options);
  }
}

/**
 * An image shown inside the HTML part, referenced there as `cid:<cid>`. It has no file
 * name: some clients list a named inline image as an attachment.
 */
export interface InlineImage {
  readonly cid: string;
  readonly contentType: 'image/png';
  readonly content: Uint8Array;
}

/** A file attached to the message. */
export interface Attachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: string | Uint8Array;
}

/**
 * One report email for one recipient, before MIME encoding. The adapters turn it into
 * multipart/mixed[alternative[text, related[html, images]], attachments].
 */
export interface OutgoingMessage {
  /** The quarter reported on (`2026-Q3`): outbox file names, headers, ledger keys. */
  readonly quarter: string;
  readonly from: string;
  /** Exactly one address: every recipient gets a message built for them. */
  readonly to: string;
  /**
   * The name `to` goes by in stored keys (`recipientKey` of use-cases/recipient-key.ts):
   * the outbox files the message under it. Worked out by the use case, so adapters need no
   * hashing of their own and every store names a recipient alike.
   */
  readonly recipientKey: string;
  /** The recipient's name, shown with the address in `To`. */
  readonly toName?: string | undefined;
  /** Where unsubscribe requests go: `List-Unsubscribe: <mailto:…>`; omitted for none. */
  readonly unsubscribeAddress?: string | undefined;
  readonly replyTo?: string | undefined;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly inlineImages: readonly InlineImage[];
  readonly attachments: readonly Attachment[];
  /**
   * Name/value pairs SES attaches to the message's events (message tags): the run, the
   * claim attempt and the recipient's hash, so recorded events can be matched to the ledger.
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What a mailer reports for an accepted message. */
export interface SentMessage {
  /** The provider's id (SES MessageId) or where the outbox wrote the message. */
  readonly messageId: string;
}

/**
 * Delivers report emails: SES in production, an outbox folder locally. Throws
 * `MailDeliveryError` once its own retries are exhausted.
 */
export interface Mailer {
  /** A short description for messages: `SES (eu-west-1)` or `outbox ./data/reports/2026-Q3/`. */
  readonly description: string;
  send(message: OutgoingMessage): Promise<SentMessage>;
}

/**
 * A message the mailer could not deliver. `permanent` means retrying cannot help (the
 * address or sender is rejected, the account is paused); otherwise a later run may succeed.
 */
export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
  /**
   * The provider may have taken the message despite the error: the request went out and no
   * clear answer came back (a timeout, a dropped connection, a 5xx). A later send may then
   * be a second copy.
   */
  readonly maybeAccepted: boolean;
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown; maybeAccepted?: boolean },
  ) {
    super(message, options);
    this.maybeAccepted = options?.maybeAccepted ?? false;
  }
}

/** Turns a chart drawn as SVG into a PNG, in process (no browser, no native binary). */
export interface ChartRasterizer {
  /** Renders `svg` at `scale` times its intrinsic size (2 for sharp images on high-DPI screens). */
  toPng(svg: string, scale: number): Promise<Uint8Array>;
}

/** A request to run a quarter's report in the background (the API's `POST /reports`). */
export interface RunRequest {
  readonly runId: string;
  readonly quarter: string;
  readonly dryRun: boolean;
  readonly resend: boolean;
  /** Who asked; the run's status.json says it. Defaults to the API. */
  readonly requestedBy?: 'schedule' | 'api' | 'cli';
}

/** Starts a report run without waiting for it (an asynchronous Lambda invocation). */
export interface RunLauncher {
  start(request: RunRequest): Promise<void>;
}

/** Tells operations something needs their attention (an SNS topic with e-mail subscribers). */
export interface OpsNotifier {
  notify(subject: string, message: string): Promise<void>;
}
