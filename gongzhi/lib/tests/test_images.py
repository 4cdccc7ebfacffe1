import io

import pytest
from PIL import Image

from gongzhi.lib import images


def _photo(fmt="JPEG", size=(2400, 1200), exif=True) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        e = Image.Exif()
        e[0x010F] = "PhoneMaker"  # Make
        e[0x0112] = 6  # Orientation: rotate 90° on display
        e[0x8825] = {2: (30.0, 24.0, 0.0), 4: (104.0, 32.0, 0.0)}  # GPS position
        kwargs["exif"] = e.tobytes()
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def test_clean_photo__drops_exif_turns_upright_and_shrinks():
    clean = images.clean_photo(_photo(), max_bytes=5_000_000, max_side=1600)
    with Image.open(io.BytesIO(clean.data)) as img:
        assert not img.getexif()
        assert img.size == (800, 1600)  # rotated upright as the EXIF asked, then bounded
    assert (clean.extension, clean.content_type) == ("jpg", "image/jpeg")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a" + b"\x00" * 100, "image.unreadable"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "image.unreadable"),
        (b"", "image.empty"),
        (b"x" * 11, "image.too_large"),
    ],
)
def test_clean_photo__refuses_what_is_not_a_small_jpeg_png_or_webp(data, code):
    with pytest.raises(images.ImageError) as exc:
        images.clean_photo(
            data, max_bytes=10, max_side=100
        ) if code == "image.too_large" else images.clean_photo(data, max_bytes=1000, max_side=100)
    assert exc.value.code == code


def test_clean_photo__refuses_a_gif_even_when_it_decodes():
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    with pytest.raises(images.ImageError) as exc:
        images.clean_photo(out.getvalue(), max_bytes=10_000, max_side=100)
    assert exc.value.code == "image.type"
