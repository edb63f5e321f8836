import { TLSSocket, type DetailedPeerCertificate } from 'node:tls';

/** The certificate of those the server presented that expires first. */
export interface CertificateView {
  /** Unix time in milliseconds of its `notAfter`. */
  notAfter: number;
  /** Its subject's common name, for people: which certificate to renew. */
  subject: string;
}

/**
 * The earliest `notAfter` among the certificates a TLS server presented: the leaf and its
 * intermediates, not the self-signed root the chain ends in (that one is the client's own
 * trust, renewed on another schedule). Undefined for a plain socket.
 */
export function earliestExpiry(socket: unknown): CertificateView | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  let certificate: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  let earliest: CertificateView | undefined;
  const seen = new Set<string>();
  while (certificate?.valid_to !== undefined && !seen.has(certificate.fingerprint256)) {
    seen.add(certificate.fingerprint256);
    const issuer = certificate.issuerCertificate as DetailedPeerCertificate | undefined;
    const selfSigned = issuer === undefined || issuer.fingerprint256 === certificate.fingerprint256;
    if (seen.size > 1 && selfSigned) break;
    const notAfter = Date.parse(certificate.valid_to);
    if (earliest === undefined || notAfter < earliest.notAfter) {
      earliest = { notAfter, subject: commonName(certificate) };
    }
    certificate = issuer;
  }
  return earliest;
}

function commonName(certificate: DetailedPeerCertificate): string {
  // Typed as a string, but a subject with two CNs gives an array.
  const cn: unknown = certificate.subject?.CN;
  return Array.isArray(cn) ? String(cn[0]) : typeof cn === 'string' ? cn : '';
}
