"""`gongzhi stations plan …`: the planner on CSV files, through the project's own command."""

import json

import pytest

from gongzhi.cli import main

from .factories import offset

DEMAND = "id,lat,lng,weight\n" + "\n".join(
    f"d{i},{lat},{lng},{w}"
    for i, ((lat, lng), w) in enumerate(
        [(offset(0, 0), 100), (offset(600, 0), 50), (offset(5000, 0), 70), (offset(5300, 0), 20)]
    )
)
CANDIDATES = "id,lat,lng\n" + "\n".join(
    f"c{i},{lat},{lng}" for i, (lat, lng) in enumerate([offset(300, 0), offset(5100, 0), offset(9000, 0)])
)


@pytest.fixture
def files(tmp_path):
    def write(demand=DEMAND, candidates=CANDIDATES):
        d, c = tmp_path / "demand.csv", tmp_path / "candidates.csv"
        d.write_text(demand, encoding="utf-8")
        c.write_text(candidates, encoding="utf-8")
        return str(d), str(c)

    return write


def run(capsys, *args):
    code = main(["gongzhi", "stations", "plan", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_mclp_json__gives_the_chosen_ids_objective_bound_and_solve_time(capsys, files):
    d, c = files()
    code, out, _err = run(
        capsys, "--model", "mclp", "--demand", d, "--candidates", c, "--radius-m", "865", "--p", "1", "--json"
    )
    assert code == 0
    body = json.loads(out)
    assert body["chosen"] == ["c0"] and body["objective"] == 150
    assert body["best_bound"] == 150 and body["solve_seconds"] >= 0 and body["status"] == "optimal"


def test_lscp__fewest_sites(capsys, files):
    d, c = files()
    code, out, _err = run(
        capsys, "--model", "lscp", "--demand", d, "--candidates", c, "--radius-m", "865", "--json"
    )
    assert code == 0 and sorted(json.loads(out)["chosen"]) == ["c0", "c1"]


def test_human_output__reads_as_a_summary(capsys, files):
    d, c = files()
    code, out, _err = run(
        capsys, "--model", "pmedian", "--demand", d, "--candidates", c, "--radius-m", "865", "--p", "2"
    )
    assert code == 0 and "Chosen sites (2)" in out and "p-median" in out


@pytest.mark.parametrize(
    ("demand", "args", "message"),
    [
        ("id,lat,lng\nd0,30.0,104.0\n", ["--p", "1"], "weight"),
        ("id,lat,lng,weight\nd0,30.0,104.0,-3\n", ["--p", "1"], "row 2"),
        ("id,lat,lng,weight\nd0,48.85,2.35,3\n", ["--p", "1"], "outside China"),
        (DEMAND, ["--p", "4"], "p=4"),
        (DEMAND, [], "--p is required"),
    ],
)
def test_bad_input__exit_code_2_and_a_message_naming_the_row_or_parameter(
    capsys, files, demand, args, message
):
    d, c = files(demand=demand)
    code, out, err = run(
        capsys, "--model", "mclp", "--demand", d, "--candidates", c, "--radius-m", "865", *args
    )
    assert code == 2 and out == "" and message in err
