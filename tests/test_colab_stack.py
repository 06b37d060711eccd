"""scripts/colab_stack.py: Colab's recorded stack, and the check that embedlab changes none."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import colab_stack  # noqa: E402

FREEZE = """\
ipywidgets==7.7.1
matplotlib==3.10.0
torch @ https://download.pytorch.org/whl/cpu/torch-2.11.0%2Bcpu-cp313-cp313-manylinux_2_28_x86_64.whl
jupyter_kernel_gateway @ git+https://github.com/googlecolab/kernel_gateway@b134e99
nvidia-nccl-cu13==2.31.2
Jinja2==3.1.6
"""


def test_a_freeze_is_read_with_url_wheels_reduced_to_their_version():
    packages = colab_stack.parse_freeze(FREEZE)
    assert packages["torch"] == ("torch", "2.11.0")
    assert packages["jinja2"] == ("Jinja2", "3.1.6")
    assert "jupyter-kernel-gateway" not in packages  # a git checkout has no version


def test_the_record_names_its_source_and_holds_colab_versions():
    assert colab_stack.header_value("source").startswith("https://github.com/googlecolab/")
    assert colab_stack.header_value("date") == "2026-08-19"
    assert colab_stack.header_value("python").startswith("3.13")
    record = colab_stack.read_record()
    assert record["ipywidgets"][1] == "7.7.1" and record["matplotlib"][1] == "3.10.0"
    assert record["torch"][1] == "2.11.0"


def test_constraints_keep_colab_torch_and_leave_its_cuda_companions_free():
    lines = colab_stack.constraints().splitlines()
    assert "torch==2.11.0" in lines and "ipywidgets==7.7.1" in lines
    assert not [line for line in lines if line.startswith(("nvidia-", "cuda-", "triton"))]


def report(tmp_path, *installs):
    path = tmp_path / "report.json"
    items = [{"metadata": {"name": n, "version": v}} for n, v in installs]
    path.write_text(json.dumps({"install": items}))
    return path


def test_the_check_passes_when_only_embedlab_and_new_packages_are_installed(tmp_path, capsys):
    path = report(tmp_path, ("embedlab", "0.1.0"), ("some-new-thing", "1.0"))
    assert colab_stack.check(path) == 0
    assert "adds some-new-thing 1.0" in capsys.readouterr().out


@pytest.mark.parametrize("name, version", [("ipywidgets", "8.1.9"), ("Matplotlib", "3.11.2")])
def test_the_check_fails_when_a_colab_package_would_change(tmp_path, capsys, name, version):
    assert colab_stack.check(report(tmp_path, ("embedlab", "0.1.0"), (name, version))) == 1
    out = capsys.readouterr().out
    assert f"CHANGES {name}: Colab has" in out and f"would install {version}" in out


def test_refresh_writes_a_record_with_its_source(tmp_path, monkeypatch):
    monkeypatch.setattr(colab_stack, "RECORD", tmp_path / "colab.txt")
    freeze = tmp_path / "pip-freeze.txt"
    freeze.write_text(FREEZE)
    colab_stack.refresh(freeze, "abc123", "2027-01-01", "3.13.20")
    assert colab_stack.header_value("commit", tmp_path / "colab.txt") == "abc123"
    assert "matplotlib==3.10.0" in (tmp_path / "colab.txt").read_text()


def test_ci_runs_the_colab_target():
    assert "make test-colab" in (ROOT / ".ci/run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/colab_stack.py check" in makefile and "-m colab" in makefile


def test_the_script_runs_from_the_command_line():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "colab_stack.py"), "constraints"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "ipywidgets==7.7.1" in result.stdout
