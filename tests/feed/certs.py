"""Certificates made for a test: a CA, a server certificate for 127.0.0.1 and a client
certificate, as PEM files and as the PKCS#12 bundle a TAK server hands its users."""
from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSWORD = "atakatak"   # the TAK server's default for the bundles it makes


@dataclass(frozen=True)
class TestPki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    client_p12: Path
    stranger_p12: Path   # signed by another CA: the server must refuse it


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key, issuer: x509.Name, issuer_key, *, ca: bool = False, server: bool = False):
    now = dt.datetime.now(dt.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
         .not_valid_after(now + dt.timedelta(days=2))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                         x509.DNSName("localhost")]), critical=False)
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    elif not ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_pki(folder: Path) -> TestPki:
    ca_key, other_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Test TAK CA", ca_key, _name("Test TAK CA"), ca_key, ca=True)
    other = _cert("Stranger CA", other_key, _name("Stranger CA"), other_key, ca=True)
    server_key, client_key, stranger_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    server = _cert("takserver", server_key, ca.subject, ca_key, server=True)
    client = _cert("deconflict-planner", client_key, ca.subject, ca_key)
    stranger = _cert("stranger", stranger_key, other.subject, other_key)
    files = {"ca.pem": _pem(ca), "server.pem": _pem(server), "server.key": _key_pem(server_key),
             "client.pem": _pem(client), "client.key": _key_pem(client_key)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    enc = serialization.BestAvailableEncryption(PASSWORD.encode())
    (folder / "client.p12").write_bytes(pkcs12.serialize_key_and_certificates(b"planner", client_key, client,
                                                                              [ca], enc))
    (folder / "stranger.p12").write_bytes(pkcs12.serialize_key_and_certificates(b"stranger", stranger_key, stranger,
                                                                                None, enc))
    return TestPki(folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "client.pem",
                   folder / "client.key", folder / "client.p12", folder / "stranger.p12")
