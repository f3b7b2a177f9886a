"""Tests never read the user's config or workspace, and never reach the network."""

import os
import tempfile

_home = tempfile.mkdtemp(prefix="dynotui-test-home-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")
os.environ["DYNOTUI_CACHE_DIR"] = os.path.join(_home, "cache")  # the exported ONNX model
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
for name in ("DYNOTUI_CONFIG", "DYNOTUI_WORKSPACE", "OPENAI_BASE_URL", "OPENAI_API_KEY",
             "DYNOTUI_BASE_URL", "DYNOTUI_API_KEY", "DYNOTUI_MODEL"):
    os.environ.pop(name, None)
