"""A minimal WebSocket client (RFC 6455), enough to follow ComfyUI's /ws: the
opening handshake, masked client frames, fragmented messages, ping/pong and close.
Standard library only: socket, base64, hashlib, os."""

import base64
import hashlib
import os
import socket
import ssl
import struct
import urllib.parse

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0
# A message larger than this is refused (a preview is a few hundred KiB at most).
MAX_MESSAGE = 64 * 1024 * 1024


class WebSocketClosed(Exception):
    pass


class WebSocket:
    def __init__(self, url, timeout=30.0):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError(f"not a ws(s) URL: {url}")
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        sock = socket.create_connection((parts.hostname, port), timeout=timeout)
        if parts.scheme == "wss":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        self.sock = sock
        self._buffer = bytearray()
        self._kind, self._message = None, b""     # a fragmented message being read
        key = base64.b64encode(os.urandom(16)).decode()
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        request = (f"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        sock.sendall(request.encode())
        head = self._read_until(b"\r\n\r\n", 65536).decode("latin-1")
        lines = head.split("\r\n")
        if len(lines[0].split()) < 2 or lines[0].split()[1] != "101":
            raise ConnectionError(f"WebSocket handshake refused: {lines[0]}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        expected = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            raise ConnectionError("WebSocket handshake: wrong Sec-WebSocket-Accept")

    def settimeout(self, seconds):
        self.sock.settimeout(seconds)

    def _read_until(self, marker, limit):
        while marker not in self._buffer:
            if len(self._buffer) > limit:
                raise ConnectionError("WebSocket handshake answer too long")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed during the WebSocket handshake")
            self._buffer += chunk
        end = self._buffer.index(marker)
        head = bytes(self._buffer[:end])
        del self._buffer[:end + len(marker)]
        return head

    def _parse_frame(self):
        """(fin, opcode, payload) of the first whole frame in the buffer, removed from
        it; None while the frame is incomplete. Nothing is consumed before a frame is
        whole, so a read that times out halfway loses nothing."""
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        fin, opcode, masked, length = buffer[0] & 0x80, buffer[0] & 0x0F, buffer[1] & 0x80, buffer[1] & 0x7F
        offset = 2
        if length == 126:
            if len(buffer) < 4:
                return None
            length, offset = struct.unpack(">H", buffer[2:4])[0], 4
        elif length == 127:
            if len(buffer) < 10:
                return None
            length, offset = struct.unpack(">Q", buffer[2:10])[0], 10
        if length > MAX_MESSAGE:
            raise ConnectionError(f"WebSocket frame of {length} bytes is too large")
        mask_end = offset + (4 if masked else 0)
        if len(buffer) < mask_end + length:
            return None
        payload = bytes(buffer[mask_end:mask_end + length])
        if masked:
            mask = buffer[offset:mask_end]
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        del buffer[:mask_end + length]
        return bool(fin), opcode, payload

    def _read_frame(self):
        while True:
            frame = self._parse_frame()
            if frame is not None:
                return frame
            chunk = self.sock.recv(65536)   # a timeout here leaves the buffer as it was
            if not chunk:
                raise WebSocketClosed("connection closed")
            self._buffer += chunk

    def recv(self):
        """The next data message: (TEXT, str) or (BINARY, bytes). Answers pings;
        raises WebSocketClosed when the server closes. A socket timeout may be raised
        between frames; the next call carries on where this one stopped."""
        while True:
            fin, opcode, payload = self._read_frame()
            if opcode == PING:
                self._send(PONG, payload)
                continue
            if opcode == PONG:
                continue
            if opcode == CLOSE:
                try:
                    self._send(CLOSE, payload[:2])
                except OSError:
                    pass
                raise WebSocketClosed("closed by the server")
            if opcode in (TEXT, BINARY):
                self._kind, self._message = opcode, payload
            elif opcode == CONTINUATION and self._kind is not None:
                self._message += payload
            else:
                raise ConnectionError(f"unexpected WebSocket opcode {opcode}")
            if len(self._message) > MAX_MESSAGE:
                raise ConnectionError("WebSocket message too large")
            if fin:
                kind, message = self._kind, self._message
                self._kind, self._message = None, b""
                return (TEXT, message.decode("utf-8")) if kind == TEXT else (BINARY, message)

    def send_text(self, text):
        self._send(TEXT, text.encode())

    def _send(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def close(self):
        try:
            self._send(CLOSE, struct.pack(">H", 1000))
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
