"""Reading the invitation pack as a person with a phone would: each PDF page to an image
(poppler's pdftoppm, installed with WeasyPrint's Debian packages), then its QR code decoded
(OpenCV's detector, from the test extra)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def qr_links(pdf: bytes) -> list[str]:
    """The text of the QR code on each page of `pdf`, in page order ("" where none is read)."""
    import cv2

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "pack.pdf")
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "110", "-png", str(source), str(Path(folder, "page"))],
                       check=True, capture_output=True)
        detector = cv2.QRCodeDetector()
        found = []
        for image in sorted(Path(folder).glob("page*.png")):
            text, _points, _code = detector.detectAndDecode(cv2.imread(str(image)))
            found.append(text)
        return found
