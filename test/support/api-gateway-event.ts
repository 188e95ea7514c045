/** An API Gateway (REST, Lambda proxy) event for the reports API, as the deployed API sends it. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export function apiGatewayEvent(
  method: 'GET' | 'POST',
  resource: '/reports' | '/reports/{quarter}',
  options: { body?: unknown; quarter?: string; query?: Record<string, string> } = {},
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    resource,
    path: resource.replace('{quarter}', options.quarter ?? ''),
    body: options.body === undefined ? null : JSON.stringify(options.body),
    pathParameters: options.quarter === undefined ? null : { quarter: options.quarter },
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}
