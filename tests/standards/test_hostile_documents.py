"""Documents built to overload the reader are refused quickly, with bounded memory and a
message (issue 11): a docx whose one paragraph holds millions of tabs grew a worker by 160 MB
and took 19 s."""

from __future__ import annotations

import io
import os
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhibiao.standards import documents

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str) -> bytes:
    """A docx of `body`, padded with an incompressible part so that it passes the zip-bomb
    ratio as an attacker's file would."""
    xml = f"<w:document {W}><w:body>{body}</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
        archive.writestr("word/media/image1.bin", os.urandom(len(xml) // 150))
    return buffer.getvalue()


def _read(data: bytes) -> list[documents.Segment]:
    return list(documents.segments(SimpleUploadedFile("a.docx", data)))


def test_a_paragraph_of_millions_of_tabs_is_refused_quickly():
    data = _docx("<w:p><w:r><w:t>GB 19272-2011</w:t>" + "<w:tab/>" * 2_500_000 + "</w:r></w:p>")
    started = time.monotonic()
    with pytest.raises(documents.ExtractionError) as refused:
        _read(data)
    assert time.monotonic() - started < 3
    assert "100,000" in str(refused.value)  # the message (translated when merged) names the limit


def test_many_pieces_are_read_with_bounded_memory():
    """Below the refusal, memory does not grow with the number of elements read."""
    tabs = "<w:p><w:r><w:t>GB 19272-2011</w:t>" + "<w:tab/>" * 90_000 + "</w:r></w:p>"
    data = _docx(tabs + "<w:p><w:r><w:t>依据 GB/T 1.1-2020</w:t></w:r></w:p>" * 1000)
    tracemalloc.start()
    try:
        segments = _read(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(segments) == 1001
    assert segments[0].text.startswith("GB 19272-2011\t\t")
    assert segments[-1].where == {"page": 1, "paragraph": 1001}
    assert peak < 5 * 1024 * 1024  # was 14 MB, growing with the tabs
