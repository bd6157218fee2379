"""Reading a QR out of an image with zxing-cpp, refusing images too large to be a photo of a
card (a decompression bomb or a mistaken file must not stall a verifier)."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image, UnidentifiedImageError

MAX_FILE = 10 * 1024 * 1024  # bytes
MAX_PIXELS = 25_000_000  # a 25-megapixel photo is more than any phone camera needs here


class ScanError(ValueError):
    def __init__(self, code: str):  # a verdict code: no_code | image_too_large | malformed
        super().__init__(code)
        self.code = code


def read_qr(path: Path) -> str:
    if path.stat().st_size > MAX_FILE:
        raise ScanError("image_too_large")
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ScanError("image_too_large")
            image.load()
            results = zxingcpp.read_barcodes(image.convert("L"))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ScanError("no_code") from None
    for result in results:
        if result.format == zxingcpp.BarcodeFormat.QRCode and result.text:
            return str(result.text)
    raise ScanError("no_code")
