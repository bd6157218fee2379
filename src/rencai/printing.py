"""What every printable PDF shares: the CJK font it embeds (a subset, so the file reads the same
on any machine), added to each document as ``cjk``. The capabilities' PDFs — the
printable card, the statistics report, the shortage catalogue, the case summary and decision
notice — start here; each refuses with its own error when no font is installed."""

from __future__ import annotations

from pathlib import Path

CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
NO_FONT = "未安装中文字体（fonts-wqy-microhei），无法生成 PDF"


def cjk_font() -> Path | None:
    """The first installed CJK font, or None."""
    return next((path for path in CJK_FONTS if path.exists()), None)
