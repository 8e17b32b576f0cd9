import { describe, expect, it } from 'vitest';
import { createS3RequestSigner, UNSIGNED_PAYLOAD } from './sign-s3-request.ts';

// AWS's example credentials, from the SigV4 examples of the S3 API reference.
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const at = new Date('2013-05-24T00:00:00Z');

describe('createS3RequestSigner', () => {
  it("signs S3's documented GET Object example exactly", () => {
    const headers = createS3RequestSigner('us-east-1')(
      {
        method: 'GET',
        path: '/test.txt',
        host: 'examplebucket.s3.amazonaws.com',
        headers: { range: 'bytes=0-9' },
        payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
      credentials,
      at,
    );
    expect(headers).toEqual({
      range: 'bytes=0-9',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-amz-date': '20130524T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    });
  });

  // The expected signature is what the AWS SDK's signer (@smithy/signature-v4 5.7) gives for the
  // same request: an unsigned payload, an encoded key, a port, and a session token.
  it('signs a PUT with an unsigned payload and a session token as the AWS SDK does', () => {
    const headers = createS3RequestSigner('us-east-1')(
      {
        method: 'PUT',
        path: '/bucket/jobs/job_a/0%20%281%29%2B%C3%BC.png',
        host: '127.0.0.1:4568',
        headers: { 'content-type': 'image/png', 'content-length': '1048576' },
        payloadHash: UNSIGNED_PAYLOAD,
      },
      { ...credentials, sessionToken: 'token/with+chars=' },
      at,
    );
    expect(headers['x-amz-security-token']).toBe('token/with+chars=');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, ' +
        'Signature=e5e515caee8692031afb090a1dca9668b21bee2bd8436bbf2cbefac23c80832d',
    );
  });

  it('signs another day with another key', () => {
    const sign = createS3RequestSigner('us-east-1');
    const request = { method: 'GET', path: '/b/k', host: 'h', headers: {}, payloadHash: UNSIGNED_PAYLOAD };
    const first = sign(request, credentials, at).authorization;
    const later = sign(request, credentials, new Date('2013-05-25T00:00:00Z')).authorization;
    expect(later).toContain('/20130525/us-east-1/s3/aws4_request');
    expect(later?.slice(-64)).not.toBe(first?.slice(-64));
    expect(sign(request, credentials, at).authorization).toBe(first);
  });
});
