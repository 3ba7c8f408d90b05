"""`chedai recommend fit|top|evaluate` on bad files and bad options.

Bad input must exit 2 with one line naming the argument and the rule, never a traceback.
"""

import pytest

from app.cli import main
from recommender.synthetic import write_csv
from tests.recommender.factories import small_market

HEADER = "user_id,item_id,event,ts\n"


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(tmp_path / "data"))  # never the user's own
    monkeypatch.setenv("CHEDAI_LOCALE", "en_US")


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    """The small planted market's interactions and a model fitted on them (seconds)."""
    folder = tmp_path_factory.mktemp("market")
    inter = folder / "interactions.csv"
    write_csv(small_market().interactions, inter)
    model = folder / "model.npz"
    argv = ["recommend", "fit", "--interactions", str(inter), "--out", str(model),
            "--factors", "4", "--iterations", "2"]  # fmt: skip
    assert main(argv) == 0
    users = folder / "users.txt"
    users.write_text("u017\n", encoding="utf-8")
    return inter, model, users


def run(capsys, *argv):
    try:
        code = main(["recommend", *argv])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_clean_line(code, err):
    return code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_fit_and_top_on_good_files_exit_0(market, capsys):
    _, model, users = market
    code, out, err = run(capsys, "top", "--model", str(model), "--users", str(users), "--k", "2")
    assert code == 0, err
    assert out.splitlines()[0] == "user_id,rank,item_id,score,source"
    assert len(out.splitlines()) == 3


def test_fit_on_a_csv_that_is_not_utf8_exits_2(capsys, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "u1,p1,view,1\n用户2,p1,view,2\n").encode("gbk"))
    code, _, err = run(capsys, "fit", "--interactions", str(path), "--out", str(tmp_path / "m"))
    assert one_clean_line(code, err) and "interactions" in err


def test_fit_reads_a_csv_with_a_utf8_bom(capsys, tmp_path, market):
    inter, _, _ = market
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + inter.read_bytes())
    argv = ["fit", "--interactions", str(path), "--out", str(tmp_path / "m.npz"),
            "--factors", "2", "--iterations", "1"]  # fmt: skip
    code, _, err = run(capsys, *argv)
    assert code == 0, err


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_fit_with_a_non_finite_alpha_exits_2_naming_it(market, capsys, tmp_path, value):
    inter, _, _ = market
    argv = ["fit", "--interactions", str(inter), "--out", str(tmp_path / "m.npz"),
            "--factors", "2", "--iterations", "1", "--alpha", value]  # fmt: skip
    code, _, err = run(capsys, *argv)
    assert one_clean_line(code, err) and "--alpha" in err


def test_fit_with_a_negative_seed_exits_2_naming_it(market, capsys, tmp_path):
    inter, _, _ = market
    argv = ["fit", "--interactions", str(inter), "--out", str(tmp_path / "m.npz"),
            "--factors", "2", "--iterations", "1", "--seed", "-1"]  # fmt: skip
    code, _, err = run(capsys, *argv)
    assert one_clean_line(code, err) and "--seed" in err


def test_fit_out_to_a_directory_exits_2(market, capsys, tmp_path):
    inter, _, _ = market
    argv = ["fit", "--interactions", str(inter), "--out", str(tmp_path),
            "--factors", "2", "--iterations", "1"]  # fmt: skip
    code, _, err = run(capsys, *argv)
    assert one_clean_line(code, err) and "cannot write" in err


@pytest.mark.parametrize("kind", ["empty", "truncated"])
def test_top_with_a_damaged_model_file_exits_2(market, capsys, tmp_path, kind):
    _, model, users = market
    damaged = tmp_path / "model.npz"
    damaged.write_bytes(b"" if kind == "empty" else model.read_bytes()[:1000])
    code, _, err = run(capsys, "top", "--model", str(damaged), "--users", str(users))
    assert one_clean_line(code, err) and "cannot load model" in err


@pytest.mark.parametrize("option", ["--users", "--eligible"])
def test_top_with_a_file_that_is_not_utf8_exits_2(market, capsys, tmp_path, option):
    _, model, users = market
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("user_id,item_id\n用户,p01\n".encode("gbk"))
    files = {"--users": str(users), "--eligible": None, option: str(bad)}
    argv = ["top", "--model", str(model)]
    argv += [arg for opt, path in files.items() if path for arg in (opt, path)]
    code, _, err = run(capsys, *argv)
    assert one_clean_line(code, err) and str(bad) in err


def test_a_bad_history_row_is_reported_as_the_history_file(market, capsys, tmp_path):
    _, model, users = market
    history = tmp_path / "history.csv"
    history.write_text(HEADER + "u017,p01,click,1\n", encoding="utf-8")
    argv = ["top", "--model", str(model), "--users", str(users), "--history", str(history)]
    code, _, err = run(capsys, *argv)
    assert one_clean_line(code, err)
    assert "history" in err and "interactions" not in err


@pytest.mark.parametrize(
    ("option", "value"), [("--test-fraction", "0"), ("--validation-fraction", "1")]
)
def test_evaluate_fraction_out_of_range_names_the_option(market, capsys, option, value):
    inter, _, _ = market
    code, _, err = run(capsys, "evaluate", "--interactions", str(inter), "--quick", option, value)
    assert one_clean_line(code, err) and option in err


def test_evaluate_with_segments_that_are_not_utf8_exits_2(market, capsys, tmp_path):
    inter, _, _ = market
    segments = tmp_path / "segments.csv"
    segments.write_bytes("user_id,segment\nu017,上海\n".encode("gbk"))
    argv = ["evaluate", "--interactions", str(inter), "--quick", "--segments", str(segments)]
    code, _, err = run(capsys, *argv)
    assert one_clean_line(code, err) and "segments" in err
