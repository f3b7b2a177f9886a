"""Without the embeddings extra: a clear message saying how to install it; the rest works."""

import os
import subprocess
import sys

# sentence_transformers = None in sys.modules makes every `import sentence_transformers` fail,
# exactly as when the package is not installed (onnxruntime too: the extra brings both)
PRELUDE = "import sys; sys.modules['sentence_transformers'] = sys.modules['onnxruntime'] = None\n"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.getcwd()}


def run_py(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PRELUDE + code, *args], capture_output=True,
                          text=True, timeout=120, env=ENV)


def test_given_no_extra_when_embedding_then_a_dyno_error_names_the_extra():
    out = run_py("""
from dynotui.core.embed import available, embed_texts
from dynotui.core.errors import DynoError
assert not available()
try:
    embed_texts(["Classify the review."])
except DynoError as exc:
    print(exc.message); print(exc.hint)
""")
    assert out.returncode == 0, out.stderr
    assert "sentence-transformers" in out.stdout and "not installed" in out.stdout
    assert "pip install 'dynotui[embeddings]'" in out.stdout


CLI = """
import sys
from dynotui.cli import main
from dynotui.core.store import Store
from dynotui.core.models import Proposal, Task
Store(sys.argv[1]).add_proposals([Proposal(dataset="sample:x", task=Task("Say hi.", ["a"], "b"))])
sys.exit(main(sys.argv[2:]))
"""


def test_given_no_extra_when_running_similar_then_exit_2_with_the_install_hint(tmp_path):
    out = run_py(CLI, str(tmp_path), "similar", "--workspace", str(tmp_path), "Say hello.")
    assert out.returncode == 2
    assert out.stderr.startswith("dynotui: Instruction embeddings need the 'embeddings' extra")
    assert "pip install 'dynotui[embeddings]'" in out.stderr
    assert "Traceback" not in out.stderr


def test_given_no_extra_when_near_duplicate_stats_asked_then_unavailable_with_hint(tmp_path):
    out = run_py("""
import sys
from dynotui.core.store import Store
from dynotui.core.models import Proposal, Task
from dynotui.core.embed import near_duplicate_stats
store = Store(sys.argv[1])
store.add_proposals([Proposal(dataset="sample:x", task=Task("Say hi.", ["a"], "b"))])
print(near_duplicate_stats(store))
print(near_duplicate_stats(store, compute=True))
""", str(tmp_path))
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()
    assert first == "None"  # nothing on file, nothing computed
    assert "'available': False" in second and "dynotui[embeddings]" in second
