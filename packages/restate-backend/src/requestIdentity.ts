import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Restate's request identity: every call a cluster makes to Phaseboard's endpoint carries a
 * JWT signed with the cluster's ed25519 private key, and the endpoint refuses a call
 * without a valid one. Without it anyone who reaches the endpoint's port could complete
 * step jobs or signal runs. The cluster reads the private key from a PEM file
 * (`[worker.invoker] request-identity-private-key-pem-file`); the endpoint is given the
 * public key as Restate writes it, `publickeyv1_<base58 of the raw 32-byte key>`.
 */
export interface RequestIdentity {
  /** The PKCS#8 PEM file the cluster's nodes sign with. */
  privateKeyFile: string;
  /** What the endpoint verifies with: `publickeyv1_…`. */
  publicKey: string;
}

const PREFIX = "publickeyv1_";
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const KEY_PATTERN = new RegExp(`^${PREFIX}[${BASE58}]{32,50}$`);

/** Whether `key` has the shape of a request identity public key. */
export function isRequestIdentityKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/**
 * The identity kept in `dir` (`request-identity.pem`), made on first use: the file is
 * written whole (a temporary file renamed into place) and readable by its owner only.
 */
export function loadOrCreateRequestIdentity(dir: string): RequestIdentity {
  const privateKeyFile = join(dir, "request-identity.pem");
  if (!existsSync(privateKeyFile)) {
    mkdirSync(dirname(privateKeyFile), { recursive: true });
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const temporary = `${privateKeyFile}.${process.pid}.tmp`;
    writeFileSync(temporary, pem, { mode: 0o600 });
    renameSync(temporary, privateKeyFile);
  }
  return { privateKeyFile, publicKey: publicKeyOf(readFileSync(privateKeyFile, "utf8")) };
}

/** The `publickeyv1_…` form of an ed25519 private key in PEM. */
export function publicKeyOf(privateKeyPem: string): string {
  const key = createPublicKey(createPrivateKey(privateKeyPem));
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`a request identity key must be ed25519, not ${key.asymmetricKeyType}`);
  }
  // An ed25519 SPKI DER ends with the 32 raw bytes of the key.
  const raw = key.export({ format: "der", type: "spki" }).subarray(-32);
  return `${PREFIX}${base58(raw)}`;
}

/** Bitcoin's base58 alphabet, as Restate writes its keys. */
function base58(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = value * 256n + BigInt(byte);
  let text = "";
  while (value > 0n) {
    text = BASE58[Number(value % 58n)] + text;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    text = `1${text}`;
  }
  return text;
}
