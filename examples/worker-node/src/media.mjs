// Files of the right kind for the synthetic backend: PNG and WAV written here (zlib
// only), JPEG previews and MP4 video by spawning `ffmpeg`. Stateless.
import { spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';

const deflateAsync = promisify(deflate);

// PNG chunk checksums: CRC-32 as in the PNG specification, annex D.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(...buffers) {
  let c = 0xffffffff;
  for (const buffer of buffers) {
    for (let i = 0; i < buffer.length; i++) c = CRC_TABLE[(c ^ buffer[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(head.subarray(4), data), 0);
  return Buffer.concat([head, data, tail]);
}

// Raw 8-bit RGB (channels 3) or RGBA (4) pixels of a gradient that depends on `seed`,
// so different seeds give visibly different images and a retry the same one.
export function gradient(width, height, seed, channels = 3) {
  const pixels = Buffer.alloc(width * height * channels);
  const shift = Number(BigInt.asUintN(8, BigInt(Math.trunc(seed))));
  let offset = 0;
  for (let y = 0; y < height; y++) {
    const g = Math.floor((y * 255) / Math.max(height - 1, 1));
    for (let x = 0; x < width; x++) {
      pixels[offset++] = (Math.floor((x * 255) / Math.max(width - 1, 1)) + shift) & 0xff;
      pixels[offset++] = g;
      pixels[offset++] = (shift + ((x ^ y) & 0x3f)) & 0xff;
      if (channels === 4) {
        // A round opaque subject on a transparent background, as background removal leaves.
        const dx = x - width / 2;
        const dy = y - height / 2;
        const r = Math.min(width, height) / 3;
        pixels[offset++] = dx * dx + dy * dy <= r * r ? 0xff : 0;
      }
    }
  }
  return pixels;
}

// A PNG (colour type 2, RGB, or 6, RGBA) of width×height raw pixels. Compression
// runs on libuv's thread pool so heartbeats keep flowing during big images.
export async function encodePng(width, height, pixels, channels = 3) {
  const stride = width * channels;
  const filtered = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    filtered[y * (stride + 1)] = 0;  // filter type 0: none
    pixels.copy(filtered, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;                           // bit depth
  header[9] = channels === 4 ? 6 : 2;      // colour type
  header[10] = 0;                          // compression: deflate
  header[11] = 0;                          // filter method
  header[12] = 0;                          // no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', await deflateAsync(filtered, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Width and height from a PNG's IHDR, or undefined if `bytes` is not a PNG.
export function pngSize(bytes) {
  if (bytes.length < 24 || bytes.readUInt32BE(0) !== 0x89504e47 || bytes.toString('ascii', 12, 16) !== 'IHDR') {
    return undefined;
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

// A mono 16-bit PCM WAV: a tone that rises with `seed`, fading in and out.
export function encodeWav(seconds, sampleRate, seed) {
  const samples = Math.max(1, Math.round(seconds * sampleRate));
  const data = Buffer.alloc(samples * 2);
  const frequency = 220 + (Math.abs(Math.trunc(seed)) % 440);
  const fade = Math.min(samples / 2, sampleRate / 20);
  for (let i = 0; i < samples; i++) {
    const envelope = Math.min(1, i / fade, (samples - 1 - i) / fade);
    const value = Math.sin((2 * Math.PI * frequency * i) / sampleRate) * envelope * 0.3;
    data.writeInt16LE(Math.round(value * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);              // fmt chunk size
  header.writeUInt16LE(1, 20);               // PCM
  header.writeUInt16LE(1, 22);               // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);  // byte rate
  header.writeUInt16LE(2, 32);               // block align
  header.writeUInt16LE(16, 34);              // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

// Runs ffmpeg with `args`, feeding `input` on stdin; resolves with its stdout.
// `signal` kills it (a lost lease must not leave an encoder running).
export function ffmpeg(args, { input, signal } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
      stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      signal,
      killSignal: 'SIGKILL',
    });
    const out = [];
    let err = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (error) => {
      if (error.code === 'ENOENT') reject(new Error('ffmpeg is not installed (needed for previews and video)'));
      else reject(error);
    });
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else if (!signal?.aborted) reject(new Error(`ffmpeg exited ${code}: ${err.trim().slice(-500)}`));
    });
    if (input) {
      child.stdin.on('error', () => { /* ffmpeg exited early; its exit code tells why */ });
      child.stdin.end(input);
    }
  });
}

// A job input the model cannot use: the job ends with INVALID_INPUT, not a retry.
export class InvalidInput extends Error {}

// Decodes the file at `path` in full with ffmpeg, as a model's loader would, and
// throws InvalidInput with ffmpeg's reason when it is truncated or garbage. ffmpeg
// exits 0 on some damaged files (a cut JPEG) but still logs an error: either counts.
// Demuxers are limited to media containers, so a playlist cannot name other files.
export async function checkInput(field, path, signal) {
  const formats = 'png_pipe,jpeg_pipe,webp_pipe,bmp_pipe,gif,wav,mp3,ogg,flac,mov,matroska,aac,avi,mpeg,mpegts,flv,aiff,amr';
  const reason = await new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-xerror',
      '-format_whitelist', formats, '-i', path, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (error) => reject(error.code === 'ENOENT' ? new Error('ffmpeg is not installed (needed to check inputs)') : error));
    child.on('close', (code) => resolve(code === 0 && err.trim() === '' ? null : (err.trim().split('\n').pop() || `ffmpeg exited ${code}`)));
  });
  if (reason) throw new InvalidInput(`the ${field} input does not decode: ${reason.replace(`${path}: `, '')}`);
}

// A JPEG of raw RGB pixels (width×height), for progress previews.
export function encodeJpeg(width, height, pixels, signal) {
  return ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', 'pipe:0',
    '-frames:v', '1', '-q:v', '5', '-f', 'mjpeg', 'pipe:1'], { input: pixels, signal });
}

// An H.264 MP4 test pattern of the given size and length, written to `path`.
export async function encodeMp4(path, { width, height, fps, seconds }, signal) {
  const source = `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`;
  await ffmpeg(['-f', 'lavfi', '-i', source, '-c:v', 'libx264', '-preset', 'ultrafast',
    '-pix_fmt', 'yuv420p', '-movflags', '+faststart', path], { signal });
}
