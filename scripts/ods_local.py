"""Serve the shared corpus's S/PV records on 127.0.0.1 as the UN's Official Document
System answers (tests/ods_server.py), to try `diplosearch fetch` without the internet:

    python scripts/ods_local.py --seconds 600 &
    DIPLOSEARCH_ODS_URL=http://127.0.0.1:8765 diplosearch fetch S/PV.8699 --lang en,fr --add-to un

Any language but English is answered with the English record's bytes (the corpus has no
other), as the tests do. Prints the URL; stops after --seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ods_server import OdsServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with OdsServer(port=args.port) as ods:
        print(ods.url, flush=True)
        time.sleep(args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
