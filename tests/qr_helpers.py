"""Reading the invitation pack as a person with a phone would: each PDF page to an image
(poppler's pdftoppm, installed with WeasyPrint's Debian packages), then its QR code decoded
(OpenCV's detector, from the test extra)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def qr_links(pdf: bytes) -> list[str]:
    """The text of the QR code on each page of `pdf`, in page order ("" where none is read).

    Each page is read at a few resolutions with OpenCV's two detectors until one decodes it:
    a single detector at one resolution misses some codes (a random token's pattern)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "pack.pdf")
        source.write_bytes(pdf)
        pages = _render(source, Path(folder), 110)
        found = [_decode(image) for image in pages]
        for resolution in (150, 220, 300):
            if all(found):
                break
            again = _render(source, Path(folder), resolution)
            found = [text or _decode(image) for text, image in zip(found, again, strict=True)]
        return found


def _render(source: Path, folder: Path, resolution: int) -> list[Path]:
    """PNG images of every page of `source` at `resolution` dpi, in page order."""
    prefix = folder / f"r{resolution}"
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", str(source), str(prefix)],
                   check=True, capture_output=True)
    return sorted(folder.glob(f"r{resolution}-*.png"))


def _decode(image: Path) -> str:
    """The QR code's text in `image`, or "" when neither detector reads one."""
    import cv2

    picture = cv2.imread(str(image))
    detectors = [cv2.QRCodeDetector()]
    if hasattr(cv2, "QRCodeDetectorAruco"):
        detectors.append(cv2.QRCodeDetectorAruco())
    for detector in detectors:
        text, _points, _code = detector.detectAndDecode(picture)
        if text:
            return str(text)
    return ""
