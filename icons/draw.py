"""Draws Haul's icon (a down arrow into a tray on a rounded teal square) as PNGs, with no image library.

Run from the repository root: python3 icons/draw.py. The sizes are the ones tauri.conf.json lists.
"""

import struct
import zlib


def png(width, height, pixels):
    raw = b"".join(b"\x00" + bytes(pixels[y * width * 4:(y + 1) * width * 4]) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def inside_rounded(x, y, size, radius):
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def draw(size):
    s = size / 64.0
    pixels = bytearray(size * size * 4)
    for y in range(size):
        for x in range(size):
            u, v = (x + 0.5) / s, (y + 0.5) / s
            i = (y * size + x) * 4
            if not inside_rounded(u, v, 64, 14):
                continue
            t = v / 64
            r, g, b = int(20 + 20 * t), int(150 - 40 * t), int(160 - 30 * t)
            white = False
            if 27 <= u <= 37 and 10 <= v <= 30:  # the arrow's shaft
                white = True
            if 30 <= v <= 42 and abs(u - 32) <= (42 - v) * 1.2:  # its head
                white = True
            if 46 <= v <= 51 and 14 <= u <= 50:  # the tray's floor
                white = True
            if 38 <= v <= 51 and (14 <= u <= 19 or 45 <= u <= 50):  # its sides
                white = True
            pixels[i:i + 4] = bytes((255, 255, 255, 255) if white else (r, g, b, 255))
    return png(size, size, pixels)


if __name__ == "__main__":
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        with open(f"icons/{name}", "wb") as out:
            out.write(draw(size))
