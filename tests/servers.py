#!/usr/bin/python3
"""servers: the real FTP, HTTP and HTTPS servers the FOTA tests download from, on 127.0.0.1 only.

Usage: servers.py ROOT CERTDIR [SECONDS]
Serves ROOT over FTP (user "fw", password "s3cret", read only; user "rw", password "wr1te", all
rights in ROOT/rw), explicit FTPS (AUTH TLS, the same users), HTTP and HTTPS (a self-signed
certificate made in CERTDIR). Prints one JSON line with the ports, then serves until its standard input
closes or SECONDS (default 300) pass, whichever comes first.

Misbehaviour on demand, by file name:
  FTP  reply-NNN.pkg    RETR answers the reply code NNN (421 also closes the control connection)
  FTP  stall.pkg        RETR never answers
  FTP  close-control.pkg  RETR closes the control connection without a reply
  FTP  close-data.pkg   half of the file on the data connection, which then closes; 226 follows
  FTP  reset.pkg        1000 bytes, then both connections are reset (RST)
  HTTP /stall/NAME      headers and 1000 bytes of NAME, then silence
  HTTP /close/NAME      headers and half of NAME, then the connection closes
  HTTP /status/NNN      answers status NNN with the body "status NNN"
  HTTP /headers         the request's header lines as the body
  HTTP POST (any path)  the request body back, its Content-Type in X-Got-Content-Type
  HTTP /ftp-sessions    {"connects": N, "quits": M}: FTP control connections accepted, QUITs seen
"""
import http.server
import json
import logging
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

ROOT, CERTDIR = sys.argv[1], sys.argv[2]
LIMIT = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
DEADLINE = time.monotonic() + LIMIT


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=ROOT, **kwargs)

    def log_message(self, fmt, *args):
        pass

    def _misbehave(self, kind, name):
        path = os.path.join(ROOT, os.path.basename(name))
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if kind == "stall":
            self.wfile.write(data[:1000])
            self.wfile.flush()
            while time.monotonic() < DEADLINE:
                time.sleep(0.2)
        else:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def _answer(self, code, body, extra=None):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n) if n else b""
        self._answer(200, body, {"X-Got-Content-Type": self.headers.get("Content-Type", "-")})

    def do_GET(self):
        if self.path == "/ftp-sessions":
            return self._answer(200, json.dumps(SESSIONS).encode())
        if self.path.startswith("/status/") and self.path[8:11].isdigit():
            return self._answer(int(self.path[8:11]), b"status " + self.path[8:11].encode())
        if self.path == "/headers":
            return self._answer(200, str(self.headers).encode())
        for kind in ("stall", "close"):
            if self.path.startswith("/%s/" % kind):
                return self._misbehave(kind, self.path[len(kind) + 2:])
        return super().do_GET()


SESSIONS = {"connects": 0, "quits": 0}


class Ftp(FTPHandler):
    def on_connect(self):
        SESSIONS["connects"] += 1

    def ftp_QUIT(self, line):
        SESSIONS["quits"] += 1
        return super().ftp_QUIT(line)

    def ftp_RETR(self, file):
        name = os.path.basename(file)
        if name.startswith("reply-") and name[6:9].isdigit():
            code = int(name[6:9])
            self.respond("%d injected reply" % code)
            if code == 421:
                self.close_when_done()
            return
        if name == "stall.pkg":
            return
        if name == "close-control.pkg":
            self.close()
            return
        if name in ("close-data.pkg", "reset.pkg") and self.data_channel is not None:
            with open(file, "rb") as f:
                data = f.read()
            self.respond("150 File status okay. About to open data connection.")
            sock = self.data_channel.socket
            sock.setblocking(True)
            if name == "close-data.pkg":
                sock.sendall(data[: len(data) // 2])
                sock.shutdown(socket.SHUT_RDWR)
                self.data_channel.close()
                self.data_channel = None
                self.respond("226 Transfer complete.")
                return
            sock.sendall(data[:1000])
            time.sleep(0.5)  # the client reads them before the reset (a reset drops unread data)
            for s in (sock, self.socket):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            self.socket.close()
            return
        return super().ftp_RETR(file)


class TlsDtp(TLS_DTPHandler):
    # curl starts the data connection's TLS handshake before it sends the transfer command;
    # pyftpdlib closes a data connection that is readable before then. Let the handshake run.
    def readable(self):
        if self._ssl_accepting or self._ssl_want_read:
            return True
        return super().readable()


class Ftps(TLS_FTPHandler, Ftp):
    tls_control_required = True
    tls_data_required = True
    dtp_handler = TlsDtp


def http_server(context=None):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if context:
        srv.socket = context.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def main():
    cert, key = os.path.join(CERTDIR, "cert.pem"), os.path.join(CERTDIR, "key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "30", "-subj", "/CN=localhost"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    logging.getLogger("pyftpdlib").setLevel(logging.ERROR)
    auth = DummyAuthorizer()
    auth.add_user("fw", "s3cret", ROOT, perm="elr")
    os.makedirs(os.path.join(ROOT, "rw"), exist_ok=True)
    auth.add_user("rw", "wr1te", os.path.join(ROOT, "rw"), perm="elradfmwMT")
    Ftp.authorizer = auth
    Ftp.auth_failed_timeout = 0.1  # a wrong password is answered at once
    Ftp.passive_ports = None
    Ftp.masquerade_address = None
    Ftps.certfile, Ftps.keyfile = cert, key
    ftp = FTPServer(("127.0.0.1", 0), Ftp)
    ftps = FTPServer(("127.0.0.1", 0), Ftps)  # the same I/O loop serves both
    threading.Thread(target=ftp.serve_forever, kwargs={"timeout": 0.5}, daemon=True).start()

    ports = {"http": http_server(), "https": http_server(ctx), "ftp": ftp.address[1],
             "ftps": ftps.address[1]}
    print(json.dumps(ports), flush=True)

    # Until stdin closes (the test is done or died) or the time limit: bounded either way.
    def watch_stdin():
        try:
            sys.stdin.read()
        finally:
            os._exit(0)
    threading.Thread(target=watch_stdin, daemon=True).start()
    while time.monotonic() < DEADLINE:
        time.sleep(0.5)
    os._exit(0)


if __name__ == "__main__":
    main()
