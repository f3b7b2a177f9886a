"""A dead Hub endpoint (closed loopback port, unknown host) fails in about a second with a
clear message; a busy Hub (5xx/429) is still retried; huggingface_hub's retry lines stay quiet."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dynotui.core.errors import DatasetError
from dynotui.core.growth.listing import fetch_page
from dynotui.core.sources.hubclient import with_retries
from dynotui.core.sources import SAMPLES_DIR, list_datasets, load_meta, parse_ref
from dynotui.core.sources import hubclient as hubsource
from hubserver import HubServer

CHATTER = "thrown while requesting"
FAST = 5.0  # seconds; five backoff retries took 23 s


def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hub_env(url: str, home: Path) -> dict[str, str]:
    return {"HF_ENDPOINT": url, "HF_HOME": str(home), "HF_HUB_OFFLINE": "0",
            "HF_DATASETS_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1"}


@pytest.fixture
def dead(tmp_path, monkeypatch):
    url = f"http://127.0.0.1:{closed_port()}"
    for key, value in hub_env(url, tmp_path / "hf").items():
        monkeypatch.setenv(key, value)
    yield url
    monkeypatch.undo()
    hubsource.sync_env()  # the libraries' globals follow the restored environment


@pytest.fixture
def hub(tmp_path, monkeypatch):
    server = HubServer().start()
    server.add_folder("acme/sst-mini", SAMPLES_DIR / "sst-mini", downloads=3)
    for key, value in server.env(tmp_path / "hf").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DYNOTUI_HUB_TIMEOUT", "2")
    yield server
    server.stop()
    monkeypatch.undo()
    hubsource.sync_env()


def test_given_closed_port_when_listing_then_clear_error_within_seconds(dead, capfd, caplog):
    started = time.monotonic()
    with pytest.raises(DatasetError) as err, caplog.at_level("WARNING", logger="huggingface_hub"):
        list_datasets("hub")
    elapsed = time.monotonic() - started
    assert elapsed < FAST, f"took {elapsed:.1f} s"
    assert f"Cannot connect to the Hub at {dead}" in err.value.message
    assert "HF_ENDPOINT" in err.value.hint
    assert CHATTER not in capfd.readouterr().err
    assert not [r for r in caplog.records if r.name.startswith("huggingface_hub")]


def test_given_closed_port_when_loading_metadata_then_clear_error_within_seconds(dead, capfd):
    started = time.monotonic()
    with pytest.raises(DatasetError, match="Cannot connect to the Hub"):
        load_meta(parse_ref("acme/sst-mini"), rows=1)
    assert time.monotonic() - started < FAST
    assert CHATTER not in capfd.readouterr().err


def test_given_closed_port_when_crawl_fetches_a_page_then_it_stops_fast(dead, capfd):
    started = time.monotonic()
    with pytest.raises(DatasetError) as err:
        fetch_page(f"{dead}/api/datasets", {"full": "True"})
    assert time.monotonic() - started < FAST
    assert f"The Hub listing at {dead}/api/datasets failed" in err.value.message
    assert "Connection refused" in err.value.message and "saved its place" in err.value.hint
    assert CHATTER not in capfd.readouterr().err


def test_given_closed_port_when_cli_lists_then_one_message_and_nothing_else(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    url = f"http://127.0.0.1:{closed_port()}"
    env.update(hub_env(url, tmp_path / "hf"))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "dynotui", "datasets", "--source", "hub"],
                          env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < FAST + 3, f"took {elapsed:.1f} s"  # + interpreter start-up
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr.startswith(f"dynotui: Cannot connect to the Hub at {url}")
    assert CHATTER not in done.stderr and "Retrying" not in done.stderr


def test_given_unknown_host_when_listing_then_clear_error_within_seconds(dead, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://no-such-host.invalid")
    started = time.monotonic()
    with pytest.raises(DatasetError, match="Cannot connect to the Hub at http://no-such-host"):
        list_datasets("hub")
    assert time.monotonic() - started < FAST


def test_given_busy_hub_when_listing_then_5xx_is_retried_quietly(hub, capfd, caplog):
    hub.fault(r"^/api/datasets$", status=503, times=2)
    with caplog.at_level("WARNING", logger="huggingface_hub"):
        assert [e.name for e in list_datasets("hub")] == ["acme/sst-mini"]
    assert hub.paths().count("GET /api/datasets") == 3
    err = capfd.readouterr().err
    assert CHATTER not in err and "Retrying in" not in err
    assert not [r for r in caplog.records if CHATTER in r.getMessage()]


def test_given_busy_hub_when_crawl_page_is_rate_limited_then_retry_after_is_honoured(hub):
    hub.fault(r"^/api/datasets$", status=429, times=1, headers={"Retry-After": "1"})
    started = time.monotonic()
    page = fetch_page(f"{hub.url}/api/datasets", {"full": "True"})
    assert [i["id"] for i in page.items] == ["acme/sst-mini"]
    assert time.monotonic() - started >= 1.0  # waited as the Hub asked
    assert hub.paths().count("GET /api/datasets") == 2


def test_only_retry_lines_are_dropped_other_library_warnings_are_kept(caplog):
    import logging

    hubsource.quiet_retries()
    logger = logging.getLogger("huggingface_hub.utils._http")
    with caplog.at_level(logging.WARNING, logger="huggingface_hub"):
        logger.warning("'boom' thrown while requesting GET http://x/api")
        logger.warning("Retrying in 1s [Retry 1/5].")
        logger.warning("The Hub says: this route is deprecated")
    assert [r.getMessage() for r in caplog.records] == ["The Hub says: this route is deprecated"]


def test_with_retries_gives_a_refused_connection_one_quick_retry_and_a_busy_hub_more():
    import httpx2

    calls, waits = [], []

    def refused():
        calls.append(1)
        raise httpx2.ConnectError("[Errno 111] Connection refused")

    with pytest.raises(httpx2.ConnectError):
        with_retries(refused, retries=5, sleep=waits.append)
    assert len(calls) == 2 and waits == [pytest.approx(0.3)]

    calls.clear(), waits.clear()

    def timing_out():
        calls.append(1)
        raise TimeoutError("timed out")

    with pytest.raises(TimeoutError):
        with_retries(timing_out, retries=3, sleep=waits.append)
    assert len(calls) == 4 and waits == [0.5, 1.0, 2.0]
