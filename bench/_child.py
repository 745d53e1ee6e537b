"""``python -m bench._child MODULE FUNC ARGS_JSON OUT_JSON``: run one in-process measurement in a fresh interpreter."""

from __future__ import annotations

import importlib
import json
import os
import sys


def main() -> None:
    module, func, args, out = sys.argv[1:5]
    result = getattr(importlib.import_module(f"bench.{module}"), func)(**json.loads(args))
    tmp = f"{out}.tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1, default=float)
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
