"""HTTPS: certificates checked against the CA store and host name, problems named in Chinese, and
sites with a bad certificate read anyway when a channel turns checking off.

Certificates and keys are generated into the test's temporary folder (never committed); the
crawl child trusts the test CA through ``SSL_CERT_FILE``.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crawlers.tls import describe_certificate_problem, probe_certificate
from tests.crawlers.conftest import channel, crawl

pytestmark = pytest.mark.timeout(120)

PAGES = {
    "/": "<html><head><title>HTTPS 首页</title></head><body><a href='/child.html'>子页面</a></body></html>",
    "/child.html": "<html><head><title>子页面</title></head><body><p>子页面正文</p></body></html>",
}
Issuer = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


def make_cert(name: str, *, issuer: Issuer | None = None, expired: bool = False, ca: bool = False) -> Issuer:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    start, end = (now - dt.timedelta(days=60), now - dt.timedelta(days=30)) if expired else (now - dt.timedelta(days=1), now + dt.timedelta(days=30))
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        alt = x509.DNSName(name)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([alt]), critical=False)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256()), key


def write_pem(folder: Path, name: str, pair: Issuer) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    cert.write_bytes(pair[0].public_bytes(serialization.Encoding.PEM))
    key.write_bytes(pair[1].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        body = PAGES.get(self.path, "<html><body>404</body></html>").encode("utf-8")
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class TlsServer(ThreadingHTTPServer):
    """Handshakes in the handler thread, so a client that rejects the certificate harms nothing."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.context = context

    def get_request(self):  # type: ignore[no-untyped-def]
        sock, address = super().get_request()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """Ports of HTTPS servers on 127.0.0.1 by certificate: self-signed, expired, wrong host, good.
    Also writes ``ca.crt`` (the test CA) next to the keys; see :func:`trust_test_ca`."""
    folder = tmp_path_factory.mktemp("tls")
    ca = make_cert("orgwatch test CA", ca=True)
    write_pem(folder, "ca", ca)
    certs = {
        "self_signed": make_cert("127.0.0.1"),
        "expired": make_cert("127.0.0.1", issuer=ca, expired=True),
        "wrong_host": make_cert("wrong.example", issuer=ca),
        "good": make_cert("127.0.0.1", issuer=ca),
    }
    running: list[tuple[TlsServer, threading.Thread]] = []
    ports = {}
    for name, pair in certs.items():
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*write_pem(folder, name, pair))
        server = TlsServer(context)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((server, thread))
        ports[name] = server.server_address[1]
    ports["ca_file"] = str(folder / "ca.crt")  # type: ignore[assignment]
    yield ports
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture()
def trust_test_ca(servers: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawl child (and the probe) trust the test CA, as if it were in the system store."""
    monkeypatch.setenv("SSL_CERT_FILE", servers["ca_file"])


@pytest.mark.usefixtures("trust_test_ca")
@pytest.mark.parametrize(
    ("server", "host", "words"),
    [
        ("self_signed", "127.0.0.1", "证书是自签名的"),
        ("expired", "127.0.0.1", "证书已过期"),
        ("wrong_host", "localhost", "证书上的域名与网站域名不符"),
        ("wrong_host", "127.0.0.1", "证书上的 IP 地址与网站地址不符"),
    ],
)
def test_bad_certificate_is_a_tls_error_naming_the_problem(servers: dict, tmp_path: Path, server: str, host: str, words: str) -> None:
    url = f"https://{host}:{servers[server]}/"
    result = crawl(tmp_path, [channel("tls:0", "website", url)], verify_tls=True)
    assert result.pages("tls:0") == []
    (error,) = result.errors("tls:0")
    assert (error.reason, error.is_home) == ("tls", True)
    assert words in error.message and "verify_tls" in error.message
    assert "Gave up retrying" not in result.log  # a bad certificate is not retried


@pytest.mark.usefixtures("trust_test_ca")
def test_good_certificate_is_read(servers: dict, tmp_path: Path) -> None:
    result = crawl(tmp_path, [channel("tls:1", "website", f"https://127.0.0.1:{servers['good']}/")], verify_tls=True)
    assert [(p.title, p.tls_error) for p in result.pages("tls:1")] == [("HTTPS 首页", ""), ("子页面", "")]


@pytest.mark.usefixtures("trust_test_ca")
def test_checking_can_be_turned_off_per_channel_and_the_problem_is_kept(servers: dict, tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{servers['self_signed']}/"
    result = crawl(tmp_path, [channel("strict:0", "website", url), channel("lenient:0", "website", url, verify_tls=False)],
                   verify_tls=True)
    assert [e.reason for e in result.errors("strict:0")] == ["tls"]
    pages = result.pages("lenient:0")
    assert [p.title for p in pages] == ["HTTPS 首页", "子页面"]
    assert all(p.tls_error == "证书是自签名的，不受浏览器信任" for p in pages)
    assert result.errors("lenient:0") == []


def test_probe_and_descriptions(servers: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", servers["ca_file"])
    assert probe_certificate("127.0.0.1", servers["good"], 5) == ""
    assert probe_certificate("127.0.0.1", servers["expired"], 5) == "证书已过期"
    assert probe_certificate("127.0.0.1", servers["expired"], 5, allow_private_networks=False) == ""  # the guard first
    assert describe_certificate_problem(None, "") == "证书无法通过校验"
    assert describe_certificate_problem(99, "odd") == "证书无法通过校验（odd）"
