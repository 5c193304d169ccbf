/**
 * The test cluster's PKI with the openssl CLI (ECDSA P-256: fast to generate, accepted by every
 * component): a CA, the API server's serving certificate for 127.0.0.1 (also used by kwok's kubelet
 * endpoint), an admin client certificate in group system:masters, and the service-account key pair.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KubePki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

async function ecKey(file: string): Promise<void> {
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

/** A key and a certificate signed by the CA: `subj` like '/O=group/CN=name', `ext` an openssl extension file's text. */
export async function signed(dir: string, name: string, subj: string, ext: string, pki: { caCert: string; caKey: string }): Promise<[string, string]> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  await ecKey(key);
  writeFileSync(extFile, ext);
  await run('openssl', ['req', '-new', '-key', key, '-subj', subj, '-out', csr]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    '-CAcreateserial',
    '-days',
    '3',
    '-extfile',
    extFile,
    '-out',
    cert,
  ]);
  return [cert, key];
}

/** Writes the PKI into `dir`. */
export async function makePki(dir: string): Promise<KubePki> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  await ecKey(caKey);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-subj',
    '/CN=spnas-test-ca',
    '-days',
    '3',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    caCert,
  ]);
  const ca = { caCert, caKey };
  const [[servingCert, servingKey], [adminCert, adminKey]] = await Promise.all([
    signed(
      dir,
      'serving',
      '/CN=kube-apiserver',
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
      ca,
    ),
    signed(dir, 'admin', '/O=system:masters/CN=spnas-test-admin', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n', ca),
    (async () => {
      await ecKey(saKey);
      await run('openssl', ['pkey', '-in', saKey, '-pubout', '-out', saPub]);
    })(),
  ]);
  return { caCert, caKey, servingCert, servingKey, adminCert, adminKey, saKey, saPub };
}
