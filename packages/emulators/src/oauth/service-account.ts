import type { KeyObject } from 'node:crypto';
import { createPublicKey, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * A Google service-account key file, field for field as the Cloud console downloads it, so it can
 * be written to disk for `GOOGLE_APPLICATION_CREDENTIALS` or passed to `new JWT({ email, key })`.
 */
export interface ServiceAccountCredentials {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  /** PKCS#8 PEM, as Google issues them. */
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  /** The emulator's own token endpoint (google-auth-library ignores it; see README). */
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

/** A freshly generated signing key: the private PEM for clients, the public half for verifying. */
export interface ServiceAccountKey {
  privateKeyPem: string;
  publicKey: KeyObject;
  /** Hex id, published as `private_key_id` and expected as the JWT `kid` when one is sent. */
  keyId: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Generates a fresh RSA-2048 key. Done per emulator start so no private key is ever committed,
 * and so a token minted by one emulator is useless against another.
 */
export async function generateServiceAccountKey(): Promise<ServiceAccountKey> {
  const { privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKey: createPublicKey(privateKey), keyId: randomBytes(20).toString('hex') };
}

/** Builds the key-file JSON for `key`, with `token_uri` pointing at the emulator. */
export function serviceAccountCredentials(
  key: ServiceAccountKey,
  options: { projectId: string; tokenUrl: string; accountName?: string },
): ServiceAccountCredentials {
  const clientEmail = `${options.accountName ?? 'imagegate-emulator'}@${options.projectId}.iam.gserviceaccount.com`;
  return {
    type: 'service_account',
    project_id: options.projectId,
    private_key_id: key.keyId,
    private_key: key.privateKeyPem,
    client_email: clientEmail,
    // Google client ids are 21-digit numbers; derive one from the key id so it is stable per key.
    client_id: `1${BigInt(`0x${key.keyId}`).toString().padStart(20, '0').slice(-20)}`,
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: options.tokenUrl,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
}
