/**
 * HTTPS for the emulator: a certificate authority and a server certificate for 127.0.0.1, ::1 and
 * localhost, generated in memory at start (RSA 2048, valid for 7 days), so clients that only talk
 * https (Microsoft's Graph SDKs attach tokens to, and follow `@odata.nextLink` as absolute URLs, only
 * for https) can be pointed at the emulator unchanged. The CA's PEM is what a client trusts:
 * `NODE_EXTRA_CA_CERTS=<file>` for Node, or the user's trust store. Nothing is written unless the
 * caller writes the CA file; the keys never leave the process.
 *
 * Node has no X.509 generation API: node-forge builds and signs the certificates (keys come from
 * Node's own crypto). It is loaded only when https is asked for.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";

export interface EmulatorTls {
  /** PEM of the certificate authority that signed the server certificate: what clients trust. */
  caPem: string;
  /** PEM of the server certificate. */
  certPem: string;
  /** PEM of the server certificate's private key. */
  keyPem: string;
}

const DAY = 24 * 60 * 60 * 1000;

/** Generates a fresh CA and a server certificate it signs. */
export function generateTls(now: Date = new Date()): EmulatorTls {
  const forge = require("node-forge") as typeof import("node-forge");
  const pki = forge.pki;
  const keys = () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const priv = pki.privateKeyFromPem(privateKey.export({ type: "pkcs1", format: "pem" }).toString());
    return { privateKey: priv, publicKey: pki.setRsaPublicKey(priv.n, priv.e) };
  };
  const certificate = (publicKey: import("node-forge").pki.PublicKey) => {
    const c = pki.createCertificate();
    c.publicKey = publicKey;
    c.serialNumber = "01" + randomBytes(12).toString("hex"); // positive
    c.validity.notBefore = new Date(now.getTime() - 60_000);
    c.validity.notAfter = new Date(now.getTime() + 7 * DAY);
    return c;
  };

  const caKeys = keys();
  const ca = certificate(caKeys.publicKey);
  const caName = [
    { name: "commonName", value: "defender-rbac emulator CA" },
    { name: "organizationName", value: "pulumi-defender-rbac (local testing only)" },
  ];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = keys();
  const cert = certificate(serverKeys.publicKey);
  cert.setSubject([{ name: "commonName", value: "127.0.0.1" }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
        { type: 2, value: "localhost" },
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: pki.certificateToPem(ca),
    certPem: pki.certificateToPem(cert),
    keyPem: pki.privateKeyToPem(serverKeys.privateKey),
  };
}
