/** Types for the parts of s3rver 3.7 the tests use (the package ships none). */
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    /** 0 picks a free port; `run()` resolves to the address actually bound. */
    port?: number;
    silent?: boolean;
    /** Where buckets are kept on disk. */
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: ReadonlyArray<{ name: string; configs?: ReadonlyArray<string | Buffer> }>;
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
  }
}
