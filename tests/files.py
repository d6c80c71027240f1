"""Real small PDFs and images, made in memory, for upload tests.

Each call can be made unique (`unique=True`), so that a test can tell its own stored file
from those of other tests by the content-addressed name.
"""

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(*, pages: int = 1, unique: bool = False) -> bytes:
    """A valid PDF with blank A4 pages (pypdf)."""
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    if unique:
        writer.add_metadata({"/Title": os.urandom(8).hex()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG", *, size: tuple[int, int] = (16, 12), **save) -> bytes:
    """A valid image in `fmt` (a Pillow format name) with random pixels."""
    width, height = size
    image = Image.frombytes("RGB", size, os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def pdf_upload(name: str = "身份证.pdf", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(**kwargs))


def image_upload(
    name: str = "photo.png", fmt: str = "PNG", **kwargs
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs))
