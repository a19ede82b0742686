"""Page images of the notice PDF for the docs (docs/notice-page*.png).

    .venv/bin/python scripts/notice_pages.py [--out docs] [--pages 1,4,6,13,14,18] [--dpi 70] [--pdf FILE]

Renders the hand-built schema-3 sample (tests/fixtures/notice_sample.py ``official_snapshot``:
14 city companies, published, with 工作要求) through the real renderer, or takes ``--pdf``
(e.g. a notice downloaded from the demo), and writes the chosen pages with pdftoppm
(poppler-utils).
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--pages", default="1,4,6,13,14,18")
    parser.add_argument("--dpi", type=int, default=70)
    parser.add_argument("--pdf", help="an existing notice PDF instead of the sample")
    args = parser.parse_args()
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(args.pdf) if args.pdf else Path(tmp) / "notice.pdf"
        if not args.pdf:
            # Imported here: the script's --help must work without Django settings or fonts.
            from scorecard.notices.renderer import render_notice_pdf
            from tests.fixtures.notice_sample import official_snapshot

            pdf.write_bytes(render_notice_pdf(official_snapshot()))
        for page in (int(p) for p in args.pages.split(",")):
            target = out / f"notice-page{page}"
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(target)], check=True)
            print(target.with_suffix(".png"))


if __name__ == "__main__":
    main()
