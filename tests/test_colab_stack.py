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


def test_the_gpu_record_is_colabs_gpu_runtime_list_on_python_3_12():
    gpu = colab_stack.record_path("gpu")
    assert colab_stack.header_value("source", gpu).endswith("/pip-freeze.gpu.txt")
    assert colab_stack.header_value("python", gpu).startswith("3.12.")
    assert len(colab_stack.header_value("commit", gpu)) == 40
    record = colab_stack.read_record(gpu)
    assert record["torch"][1] == "2.11.0"  # its +cu128 dropped: PyPI's build of 2.11.0 is used
    assert record["numpy"][1] == "2.0.2" and record["ipywidgets"][1] == "7.7.1"
    assert colab_stack.read_record()["numpy"][1] != "2.0.2"  # another stack than the CPU one


def test_gpu_constraints_leave_the_gpu_runtimes_cuda_packages_free():
    lines = colab_stack.constraints(colab_stack.record_path("gpu")).splitlines()
    assert "torch==2.11.0" in lines and "numpy==2.0.2" in lines
    assert "nvidia-cudnn-cu12==9.19.0.56" in (colab_stack.record_path("gpu")).read_text()
    assert not [line for line in lines if line.startswith(("nvidia-", "cuda-", "triton"))]


def test_the_check_reads_the_stack_it_is_given(tmp_path):
    path = report(tmp_path, ("embedlab", "0.1.0"), ("nvidia-nccl-cu12", "2.29.0"))
    assert colab_stack.check(path) == 0  # the CPU runtime has no nvidia-nccl-cu12: added
    assert colab_stack.check(path, colab_stack.record_path("gpu")) == 1  # the GPU one has 2.28.9


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


def test_refresh_of_the_gpu_stack_writes_its_own_record_with_notes(tmp_path, monkeypatch):
    gpu = tmp_path / "colab-gpu.txt"
    monkeypatch.setitem(colab_stack.STACKS, "gpu", (gpu, "pip-freeze.gpu.txt", "GPU runtime"))
    freeze = tmp_path / "pip-freeze.gpu.txt"
    freeze.write_text(FREEZE.replace("2.11.0%2Bcpu", "2.11.0%2Bcu128"))
    colab_stack.refresh(freeze, "abc123", "2027-01-01", "3.12.13", "gpu", ("why this list",))
    assert colab_stack.header_value("source", gpu).endswith("/abc123/pip-freeze.gpu.txt")
    assert "# note: why this list" in gpu.read_text()
    assert colab_stack.read_record(gpu)["torch"][1] == "2.11.0"


def test_ci_runs_both_colab_targets_the_gpu_one_with_a_gpu_reported():
    ci = (ROOT / ".ci/run").read_text()
    assert "make test-colab\n" in ci and "make test-colab-gpu" in ci
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/colab_stack.py check" in makefile and "-m colab" in makefile
    assert "check --stack gpu" in makefile and "--stack gpu --gpu-reported" in makefile
    assert "EMBEDLAB_GPU_REPORTED=1" in makefile


def test_the_script_runs_from_the_command_line():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "colab_stack.py"), "constraints"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "ipywidgets==7.7.1" in result.stdout
