/**
 * What an S3 failure means for the person running kpi-report: missing or refused
 * credentials, a bucket that is not there or not theirs, an endpoint out of reach. Each is
 * a `DataLocationError` naming the location and the fix (the CLI exits 2 with it); any other
 * failure is left as it is, a bug or an outage.
 */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { DataLocationError } from '../../core/errors';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);
const REFUSED_CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidToken',
]);

/** `error` as a `DataLocationError` when it is about the location or its access, else `error`. */
export function s3LocationFailure(error: unknown, location: string): unknown {
  if (!(error instanceof Error)) return error;
  const wrap = (message: string) => new DataLocationError(message, { cause: error });
  if (error.name === 'CredentialsProviderError') {
    return wrap(
      `no AWS credentials were found to read ${location}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them`,
    );
  }
  const code = (error as { code?: string }).code ?? '';
  if (UNREACHABLE.has(code) || error.name === 'TimeoutError') {
    return wrap(
      `cannot reach S3 for ${location} (${code || error.name}); check the network, AWS_REGION and AWS_ENDPOINT_URL_S3 if it is set`,
    );
  }
  if (!(error instanceof S3ServiceException)) return error;
  if (error.name === 'NoSuchBucket') {
    return wrap(`the bucket of ${location} does not exist; check the bucket name in --data (and AWS_REGION)`);
  }
  if (REFUSED_CREDENTIALS.has(error.name)) {
    return wrap(`S3 refused the AWS credentials used for ${location} (${error.name}); check or renew them`);
  }
  if (error.name === 'PermanentRedirect' || error.$metadata.httpStatusCode === 301) {
    return wrap(`the bucket of ${location} is in another region; set AWS_REGION to the bucket's region`);
  }
  if (error.name === 'AccessDenied' || error.$metadata.httpStatusCode === 403) {
    return wrap(
      `access to ${location} was denied (${error.name}); the credentials need s3:ListBucket, s3:GetObject and, for reports/, s3:PutObject there`,
    );
  }
  return error;
}
