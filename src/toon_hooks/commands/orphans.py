"""`toon-hooks orphans`: generated twins whose source was deleted or renamed (the work is in `hook.orphans`)."""
from __future__ import annotations

from .sync import hook_command

orphans_cmd = hook_command("orphans", "Report generated twins whose source no longer exists (reads git itself; "
                                      "pass no files).")
