"""The Hub source end to end: real huggingface_hub and datasets against tests/hubserver.py."""


import pytest

from dynotui.core.errors import DatasetError
from dynotui.core.sources import SAMPLES_DIR, iter_rows, list_datasets, load_meta, parse_ref
from dynotui.core.sources import hubclient as hubsource
from hubserver import HubServer

TOKEN = "hf_loopback_token"


@pytest.fixture
def hub(tmp_path, monkeypatch):
    server = HubServer(token=TOKEN).start()
    server.add_folder("acme/sst-mini", SAMPLES_DIR / "sst-mini", downloads=300, likes=2,
                      trending=5.0, last_modified="2024-05-01T00:00:00.000Z")
    server.add_folder("acme/tickets", SAMPLES_DIR / "support-tickets", downloads=100, likes=9,
                      trending=1.0, last_modified="2024-07-01T00:00:00.000Z")
    server.add_folder("bolt/reading-qa", SAMPLES_DIR / "reading-qa", downloads=200, likes=1,
                      trending=9.0, last_modified="2024-03-01T00:00:00.000Z")
    server.add_dataset("bolt/french-news", {
        "README.md": "---\nlicense: other\nlanguage: fr\ntask_categories:\n- translation\n---\n"
                     "\nDes dépêches.\n",
        "data/train.jsonl": '{"titre": "Bonjour", "texte": "Le monde"}\n'}, downloads=5)
    for key, value in server.env(tmp_path / "hf").items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("DYNOTUI_HUB_TIMEOUT", "2")
    yield server
    server.stop()
    monkeypatch.undo()
    hubsource.sync_env()  # the libraries' globals follow the restored environment


def ids(entries):
    return [e.name for e in entries]


def test_search_sort_and_filters(hub):
    assert ids(list_datasets("hub", sort="downloads")) == \
        ["acme/sst-mini", "bolt/reading-qa", "acme/tickets", "bolt/french-news"]
    assert ids(list_datasets("hub", sort="likes"))[0] == "acme/tickets"
    assert ids(list_datasets("hub", sort="trending"))[0] == "bolt/reading-qa"
    assert ids(list_datasets("hub", sort="last_modified"))[0] == "acme/tickets"
    assert ids(list_datasets("hub", search="sst")) == ["acme/sst-mini"]
    assert ids(list_datasets("hub", filters={"license": "apache-2.0"})) == ["acme/tickets"]
    assert ids(list_datasets("hub", filters={"language": "fr"})) == ["bolt/french-news"]
    assert ids(list_datasets("hub", filters={"task_category": "question-answering"})) == \
        ["bolt/reading-qa"]
    with pytest.raises(DatasetError, match="Unknown sort"):
        list_datasets("hub", sort="stars")


def test_listing_lines_carry_card_facts_and_verdicts(hub):
    entries = {e.name: e for e in list_datasets("hub")}
    sst = entries["acme/sst-mini"]
    assert sst.license == ["cc-by-4.0"] and sst.fields == ["text", "label"]
    assert sst.downloads == 300 and sst.revision == hub.repos["acme/sst-mini"].sha
    assert all(v.ok for v in sst.verdicts)
    french = {v.rule: v for v in entries["bolt/french-news"].verdicts}
    assert not french["license"].ok and not french["english"].ok


def test_paging_follows_link_headers_and_offset(hub):
    hub.page_size = 2
    everything = ids(list_datasets("hub", sort="downloads", limit=10))
    assert len(everything) == 4
    assert sum("cursor=" in path for _, path, _ in hub.requests) >= 1
    assert ids(list_datasets("hub", sort="downloads", limit=2, offset=1)) == everything[1:3]


def test_rate_limited_listing_is_retried_after_retry_after(hub):
    hub.fault(r"^/api/datasets$", status=429, times=1, headers={"Retry-After": "1"})
    assert len(list_datasets("hub")) == 4
    assert hub.paths().count("GET /api/datasets") == 2


def test_metadata_card_features_rows_at_a_pinned_revision(hub):
    sha = hub.repos["acme/sst-mini"].sha
    meta = load_meta(parse_ref("hub:acme/sst-mini"), rows=4)
    assert meta.ref == parse_ref(f"acme/sst-mini@{sha}", config="default")
    assert meta.revision == sha and meta.website == f"{hub.url}/datasets/acme/sst-mini"
    assert meta.summary.startswith("One-sentence film reviews")
    assert meta.feature_map["label"].label_names == ["negative", "positive"]
    assert meta.splits == {"train": 56, "test": 16}
    assert {r["label"] for r in meta.rows["train"]} <= {"negative", "positive"}
    assert len(meta.rows["train"]) == 4 and meta.passes
    resolves = [p for p in hub.paths() if "/resolve/" in p]
    assert resolves and all(f"/resolve/{sha}/" in p for p in resolves)
    assert hub.paths().count(f"GET /datasets/acme/sst-mini/resolve/{sha}/README.md") == 1


def test_configs_splits_and_streamed_rows(hub):
    meta = load_meta(parse_ref("acme/tickets", config="replies", split="test"), rows=3)
    assert meta.configs == ["intent", "replies"] and meta.ref.config == "replies"
    assert meta.field_names == ["ticket", "reply"] and list(meta.rows) == ["test"]
    rows = list(iter_rows(parse_ref("acme/tickets"), limit=5))
    assert len(rows) == 5 and all(r["intent"] in {"billing", "shipping", "account", "technical",
                                                  "refund"} for r in rows)
    qa = load_meta(parse_ref("bolt/reading-qa"), rows=2)
    assert qa.feature_map["answers"].is_nested and "id" in qa.field_names


def test_token_reaches_the_server_for_private_and_gated_data(hub, monkeypatch):
    hub.add_folder("acme/private", SAMPLES_DIR / "sst-mini", private=True)
    hub.add_folder("acme/gated", SAMPLES_DIR / "sst-mini", gated="auto")
    with pytest.raises(DatasetError) as err:
        load_meta(parse_ref("acme/private"))
    assert "not found" in err.value.message and "or is private" in err.value.message
    assert "HF_TOKEN" in err.value.hint
    with pytest.raises(DatasetError) as err:
        load_meta(parse_ref("acme/gated"))
    assert "gated" in err.value.message
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert load_meta(parse_ref("acme/private"), rows=1).rows["train"]
    assert load_meta(parse_ref("acme/gated"), rows=1).rows["train"]
    assert any(h.get("authorization") == f"Bearer {TOKEN}" or
               h.get("Authorization") == f"Bearer {TOKEN}" for _, _, h in hub.requests)


@pytest.mark.parametrize("fault, ref, needle", [
    (None, "acme/nope", "was not found"),
    (None, "acme/sst-mini@" + "0" * 40, "revision does not exist"),
    ((r"^/api/datasets/acme/sst-mini", 500, {}), "acme/sst-mini", "server error (500)"),
    ((r"/resolve/.*/data/train.jsonl$", 403, {}), "acme/sst-mini", "refused"),
])
def test_each_hub_failure_gets_a_clear_message(hub, fault, ref, needle):
    if fault:
        hub.fault(fault[0], status=fault[1], headers=fault[2])
    with pytest.raises(DatasetError) as err:
        load_meta(parse_ref(ref), rows=2)
    assert needle in err.value.message and err.value.hint
    assert hub.url in err.value.message


def test_a_flaky_card_download_is_retried(hub):
    hub.fault(r"/resolve/.*/README.md$", status=503, times=1)
    assert load_meta(parse_ref("acme/sst-mini"), rows=1).summary
    assert hub.paths().count(f"GET /datasets/acme/sst-mini/resolve/"
                             f"{hub.repos['acme/sst-mini'].sha}/README.md") == 2


def test_a_wrapped_http_error_is_traced_to_its_status():
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    response = httpx2.Response(503, request=httpx2.Request("HEAD", "http://127.0.0.1:9/x"))
    try:
        try:
            raise HfHubHTTPError("503 Server Error", response=response)
        except HfHubHTTPError as inner:
            raise LocalEntryNotFoundError("cannot find the requested files") from inner
    except LocalEntryNotFoundError as outer:
        error = hubsource.translate(outer, "hub:a/b")
    assert "server error (503)" in error.message


def test_a_slow_hub_times_out_with_a_message(hub):
    hub.fault(r"^/api/datasets/acme/sst-mini$", delay=4)
    with pytest.raises(DatasetError) as err:
        load_meta(parse_ref("acme/sst-mini"))
    assert "did not answer in time" in err.value.message
    assert "DYNOTUI_HUB_TIMEOUT" in err.value.hint


def test_a_malformed_card_is_named_with_its_line(hub):
    hub.add_dataset("acme/broken", {"README.md": "---\nlicense: mit\nlanguage: [en\n  x: : :\n"
                                                 "---\n\nWords.\n",
                                    "data/train.jsonl": '{"a": "b", "c": "d"}\n'})
    with pytest.raises(DatasetError) as err:
        load_meta(parse_ref("acme/broken"))
    assert "malformed YAML" in err.value.message and "line 4" in err.value.message
    assert "acme/broken" in err.value.message


def test_offline_mode_says_so(hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DatasetError) as err:
        list_datasets("hub")
    assert "offline" in err.value.message


def test_a_listing_without_limit_pages_through_everything(hub):
    from huggingface_hub import HfApi

    hub.page_size = 3
    hubsource.sync_env()
    everything = list(HfApi(endpoint=hub.url).list_datasets())
    assert len(everything) == 4 and hub.paths().count("GET /api/datasets") == 2


def test_hub_tags_fill_in_what_the_card_leaves_out(hub):
    hub.add_dataset("acme/tagged", {"README.md": "# Tagged\n\nA card with no front matter at all.\n",
                                    "data/train.jsonl": '{"q": "Is it?", "a": "It is."}\n'},
                    tags=["license:mit", "language:en", "task_categories:question-answering"])
    meta = load_meta(parse_ref("acme/tagged"), rows=1)
    assert meta.license == ["mit"] and meta.languages == ["en"]
    assert meta.task_categories == ["question-answering"]
    assert meta.passes and meta.summary == "A card with no front matter at all."


def test_a_stream_dropped_by_a_timeout_is_reported_as_a_timeout():
    import httpx2

    try:
        try:
            raise httpx2.ReadTimeout("timed out")
        except httpx2.ReadTimeout as inner:
            raise ConnectionError("Server Disconnected") from inner
    except ConnectionError as outer:
        error = hubsource.translate(outer, "hub:a/b")
    assert "did not answer in time" in error.message
