"""Engine tests run without Flask: put the repository root on the path so `planner.engine` imports."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
