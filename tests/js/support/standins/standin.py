"""Shared plumbing of the stand-in inference servers the bridge tests run: a threaded
HTTP server on a free 127.0.0.1 port that prints "listening on http://HOST:PORT",
records every call (GET /_standin/calls answers them) and the SHA-256 of every file
it made (GET /_standin/made), and makes PNG and WAV files.
Test code only: each stand-in follows its project's documented API, nothing more."""

import email.parser
import hashlib
import email.policy
import http.server
import json
import struct
import sys
import threading
import urllib.parse
import zlib


def png(width, height, seed):
    """A PNG the stand-in made: rows of a colour that depends on seed."""
    rows = []
    for y in range(height):
        rows.append(b"\x00" + bytes(((seed * 7 + y) & 0xFF, (seed * 13) & 0xFF, (y * 3) & 0xFF)) * width)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def wav(samples, rate=16000, value=0):
    data = struct.pack("<h", value) * samples
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)


# A 16x16 baseline JPEG, as ComfyUI's preview frames carry (made once with ffmpeg).
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010200000100010000fffe00104c61766335392e33372e31303000ffdb00430008101013101316"
    "16161616161a181a1b1b1b1a1a1a1a1b1b1b1d1d1d2222221d1d1d1b1b1d1d2020222225262523232223262628282830302e"
    "2e38383a454553ffc4004c000101000000000000000000000000000000060101010000000000000000000000000000060710"
    "0100000000000000000000000000000000110100000000000000000000000000000000ffc000110800100010030122000211"
    "00031100ffda000c03010002110311003f008b00517f7fffd9")


def multipart(handler, body):
    """{name: (filename or None, bytes)} of a multipart/form-data body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + handler.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
    fields = {}
    for part in message.iter_parts():
        fields[part.get_param("name", header="content-disposition")] = (part.get_filename(),
                                                                         part.get_payload(decode=True))
    return fields


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes: subclasses define routes() -> {(METHOD, path): method(self, query, body)}."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _dispatch(self, method):
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = {"method": method, "path": parts.path, "query": query}
        if body and self.headers.get("Content-Type", "").startswith("application/json"):
            try:
                record["json"] = json.loads(body)
            except ValueError:
                pass
        if parts.path == "/_standin/calls":
            return self.answer(200, self.server.calls)
        if parts.path == "/_standin/made":
            return self.answer(200, self.server.made)
        with self.server.lock:
            self.server.calls.append(record)
        route = self.server.app.route(method, parts.path)
        if route is None:
            return self.answer(404, {"detail": "Not Found"})
        route(self, query, body)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def answer(self, status, value, content_type="application/json"):
        data = value if isinstance(value, bytes) else json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve(app):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.app = app
    server.calls = []
    server.made = []
    app.made = lambda data: server.made.append(hashlib.sha256(data).hexdigest()) or data
    server.lock = threading.Lock()
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
