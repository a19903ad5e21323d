from lbie_desktop.cli import main


def test_selftest_runs_the_sample_through_the_pipeline(tmp_path, capsys):
    assert main(["selftest", "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "self-test passed" in out
    assert (tmp_path / "selftest.jpg").stat().st_size > 10_000
