"""Files of the right kind, with the standard library only: PNG, WAV and preview
JPEGs written here (Pillow's JPEGs when it is installed); a model server's PNG or
WebP preview made a JPEG with Pillow or ffmpeg; MP4 and input checks with ffmpeg.
Stateless."""

import hashlib
import math
import shutil
import struct
import subprocess
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Previews are small: far below the server's preview limit (256 KiB).
PREVIEW_SIDE = 256


def _chunk(kind, data):
    head = struct.pack(">I", len(data)) + kind
    return head + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def gradient(width, height, seed, channels=3):
    """Raw 8-bit RGB (or RGBA) pixels of a gradient that depends on `seed`, so
    different seeds give visibly different images and a retry the same one."""
    shift = int(seed) & 0xFF
    rows = []
    xs = [(x * 255) // max(width - 1, 1) for x in range(width)]
    for y in range(height):
        g = (y * 255) // max(height - 1, 1)
        row = bytearray(width * channels)
        for x in range(width):
            o = x * channels
            row[o] = (xs[x] + shift) & 0xFF
            row[o + 1] = g
            row[o + 2] = (shift + ((x ^ y) & 0x3F)) & 0xFF
            if channels == 4:
                dx, dy, r = x - width / 2, y - height / 2, min(width, height) / 3
                row[o + 3] = 0xFF if dx * dx + dy * dy <= r * r else 0
        rows.append(bytes(row))
    return rows


def encode_png(width, height, rows, channels=3):
    """A PNG (colour type 2 RGB, or 6 RGBA) of `rows` (one bytes per row)."""
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b""))


def png_size(data):
    """(width, height) from a PNG's IHDR, or None if `data` is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def encode_wav(seconds, sample_rate, seed):
    """A mono 16-bit PCM WAV: a tone that rises with `seed`, fading in and out."""
    samples = max(1, round(seconds * sample_rate))
    frequency = 220 + abs(int(seed)) % 440
    fade = min(samples / 2, sample_rate / 20)
    step = 2 * math.pi * frequency / sample_rate
    data = bytearray(samples * 2)
    for i in range(samples):
        envelope = min(1.0, i / fade, (samples - 1 - i) / fade)
        struct.pack_into("<h", data, i * 2, int(math.sin(step * i) * envelope * 0.3 * 32767))
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", len(data))
    return header + bytes(data)


def is_jpeg(data):
    return data[:2] == b"\xff\xd8"


def have_pillow():
    try:
        import PIL.Image  # noqa: F401  (optional)
        return True
    except ImportError:
        return False


def have_ffmpeg():
    return shutil.which("ffmpeg") is not None


def ffmpeg(args, stdin=None, timeout=120, cancelled=None):
    """Runs ffmpeg with `args`; its stdout. Raises RuntimeError with its reason."""
    if not have_ffmpeg():
        raise RuntimeError("ffmpeg is not installed")
    process = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
                               stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise RuntimeError("ffmpeg took too long") from None
    if process.returncode != 0:
        raise RuntimeError(f"ffmpeg exited {process.returncode}: {err.decode(errors='replace').strip()[-500:]}")
    return out


def rgb_to_jpeg(width, height, rows):
    """A JPEG of raw RGB rows, for previews: Pillow's when it is installed, else a
    mosaic of 8x8 blocks written here (no other program needed)."""
    if have_pillow():
        import io
        from PIL import Image
        buffer = io.BytesIO()
        Image.frombytes("RGB", (width, height), b"".join(rows)).save(buffer, format="JPEG", quality=70)
        return buffer.getvalue()
    return block_jpeg(width, height, rows)


# Baseline JPEG (ITU T.81) holding only each 8x8 block's mean colour: the DC term of
# its DCT. Every decoder reads it; it looks like a mosaic, enough for a preview.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)   # the standard luminance DC table
_DC_CODES = {}
_code, _symbol = 0, 0
for _length, _count in enumerate(_DC_BITS, start=1):
    for _ in range(_count):
        _DC_CODES[_symbol] = (_code, _length)
        _code, _symbol = _code + 1, _symbol + 1
    _code <<= 1
# An AC table of two symbols: end-of-block ("0") and one more so the table is well formed.
_AC_BITS = (1, 1) + (0,) * 14


def _segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def block_jpeg(width, height, rows):
    """A JPEG of raw RGB rows (3 bytes a pixel) whose 8x8 blocks are flat."""
    blocks_x, blocks_y = (width + 7) // 8, (height + 7) // 8
    out = bytearray(b"\xff\xd8")
    out += _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += _segment(0xDB, b"\x00" + b"\x01" * 64)   # quantisation 1: DC kept exactly
    out += _segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00")
    out += _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(range(12)) + b"\x10" + bytes(_AC_BITS) + b"\x00\x01")
    out += _segment(0xDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00")
    bits, count, data = 0, 0, bytearray()

    def put(value, length):
        nonlocal bits, count
        bits, count = (bits << length) | (value & ((1 << length) - 1)), count + length
        while count >= 8:
            count -= 8
            byte = (bits >> count) & 0xFF
            data.append(byte)
            if byte == 0xFF:
                data.append(0)                    # byte stuffing
        bits &= (1 << count) - 1

    previous = [0, 0, 0]
    for by in range(blocks_y):
        for bx in range(blocks_x):
            sums = [0.0, 0.0, 0.0]
            for y in range(by * 8, by * 8 + 8):
                row = rows[min(y, height - 1)]
                for x in range(bx * 8, bx * 8 + 8):
                    o = min(x, width - 1) * 3
                    r, g, b = row[o], row[o + 1], row[o + 2]
                    sums[0] += 0.299 * r + 0.587 * g + 0.114 * b
                    sums[1] += -0.168736 * r - 0.331264 * g + 0.5 * b + 128
                    sums[2] += 0.5 * r - 0.418688 * g - 0.081312 * b + 128
            for component in range(3):
                dc = round(sums[component] / 8 - 1024)      # 8 x (mean - 128)
                diff, previous[component] = dc - previous[component], dc
                size = abs(diff).bit_length()
                put(*_DC_CODES[size])
                if size:
                    put(diff if diff > 0 else diff - 1, size)
                put(0, 1)                                   # end of block: no AC terms
    if count:
        put((1 << (8 - count)) - 1, 8 - count)              # pad with 1 bits
    return bytes(out + data + b"\xff\xd9")


def to_jpeg_preview(image):
    """A preview the server takes (a JPEG, long side <= 256) from a model server's
    PNG, JPEG or WebP; None when it cannot be converted here (neither Pillow nor
    ffmpeg). A JPEG passes through unless it is large."""
    if not image:
        return None
    if is_jpeg(image) and len(image) <= 192 * 1024:
        return image
    if have_pillow():
        import io
        from PIL import Image
        picture = Image.open(io.BytesIO(image))
        picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="JPEG", quality=70)
        return buffer.getvalue()
    if have_ffmpeg():
        scale = f"scale='min({PREVIEW_SIDE},iw)':'min({PREVIEW_SIDE},ih)':force_original_aspect_ratio=decrease"
        return ffmpeg(["-f", "image2pipe", "-i", "pipe:0", "-vf", scale, "-frames:v", "1", "-q:v", "5",
                       "-f", "mjpeg", "pipe:1"], stdin=image, timeout=30)
    return None


def encode_mp4(path, width, height, fps, seconds):
    """An H.264 MP4 test pattern written to `path` (needs ffmpeg)."""
    source = f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"
    ffmpeg(["-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", path], timeout=300)


# Demuxers a decode check may use: media containers only, so a playlist cannot name
# other files.
_CHECK_FORMATS = ("png_pipe,jpeg_pipe,webp_pipe,bmp_pipe,gif,wav,mp3,ogg,flac,mov,matroska,aac,avi,"
                  "mpeg,mpegts,flv,aiff,amr")


def decode_problem(path):
    """Decodes the file at `path` in full with ffmpeg, as a model's loader would;
    None if it decodes, else ffmpeg's reason. ffmpeg exits 0 on some damaged files
    (a cut JPEG) but still logs an error: either counts. None without ffmpeg."""
    if not have_ffmpeg():
        return None
    process = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-xerror",
                              "-format_whitelist", _CHECK_FORMATS, "-i", path, "-f", "null", "-"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=300)
    err = process.stderr.decode(errors="replace").strip()
    if process.returncode == 0 and not err:
        return None
    last = err.splitlines()[-1] if err else f"ffmpeg exited {process.returncode}"
    return last.replace(f"{path}: ", "")


def embedding(text, seed, size=1024):
    """A unit vector of `size` floats derived from text and seed: same input, same vector."""
    values = []
    counter = 0
    while len(values) < size:
        digest = hashlib.sha256(f"{seed}:{counter}:{text}".encode()).digest()
        counter += 1
        for i in range(0, len(digest) - 1, 2):
            if len(values) < size:
                values.append(int.from_bytes(digest[i:i + 2], "big") / 32768 - 1)
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 6) for v in values]
