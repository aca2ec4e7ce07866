"""Where backcoach finds the files that setup puts beside the checkout.

The package is installed editable from the repository, so the repository root is two levels above
this file. ``BACKCOACH_ROOT`` overrides it (for a deployment that keeps models elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("BACKCOACH_ROOT", PACKAGE_DIR.parents[1]))

#: PoseLandmarker ``.task`` bundles and legacy ``.tflite`` files built by ``backcoach models build``.
MODELS_DIR = ROOT / "build" / "models"
#: npm packages installed by setup (browser runtime and the lite/full/heavy weights).
NODE_MODULES = ROOT / "node_modules"
#: The real recordings shared beside the checkout (``../shared/data``); may be absent.
SHARED_DATA = Path(os.environ.get("BACKCOACH_SHARED_DATA", ROOT.parent / "shared" / "data"))
#: Exercise definitions shipped with the package.
EXERCISES_DIR = PACKAGE_DIR / "exercises" / "library"
