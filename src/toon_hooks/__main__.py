"""`python -m toon_hooks` runs the command line, exactly as the `toon-hooks` console script does."""
from __future__ import annotations

from .hook import main

if __name__ == "__main__":
    main()
