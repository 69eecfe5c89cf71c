"""`grulab sweep --slurm --submit` against a real Slurm: Debian's slurm-wlm as a one-node cluster
on localhost, started here and stopped by PID whatever happens. The array's run files and index
must equal the same sweep run locally.

Also, without Slurm: runs of one experiment started as separate processes all at once all
land in the index (the file lock that makes the array's index complete).

The cluster needs root (munged runs as the user munge) and slurm-wlm (scripts/setup installs
it); without them the Slurm test is skipped with the reason.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

EXPERIMENT = """\
name: arrayed
seed: 4
task: {name: adding, seq_len: 12}
model: {cell: gru, hidden_size: 8}
train: {steps: 15, batch_size: 4, eval_every: 5, checkpoint_every: 5}
log: {every: 1, grad_h_every: 5, flush_every: 0.2}
sweep:
  model.cell: [gru, lstm, mingru]
  task.seq_len: [12, 16]
"""
RUNS = [f"cell={c},seq_len={n}" for c in ("gru", "lstm", "mingru") for n in (12, 16)]
#: Every series whose values are a function of the seed (wall_time is not).
SERIES = ["metrics/step", "metrics/train_loss", "metrics/grad_norm", "metrics/learning_rate", "eval/step",
          "eval/loss", "gradients/step", "gradients/dL_dh_norm", "gradients/decay_rate"]
SLURM_CONF = """\
ClusterName=grulabtest
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={dir}/munge/munge.socket
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=sched_interval=1
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmctldLogFile={dir}/slurmctld.log
SlurmdLogFile={dir}/slurmd.log
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs={cpus} State=UNKNOWN
PartitionName=grulab Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def slurm_cluster():
    """A one-node Slurm on localhost: (environment with SLURM_CONF, directory). Stops munged,
    slurmctld and slurmd by their PIDs when the test ends, passed or not."""
    if os.geteuid() != 0:
        pytest.skip("the one-node Slurm cluster needs root (munged runs as the user munge)")
    missing = [tool for tool in ("munged", "slurmctld", "slurmd", "sbatch", "squeue") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Slurm is not installed ({', '.join(missing)} missing): apt-get install slurm-wlm")
    directory = Path(tempfile.mkdtemp(prefix="grulab-slurm-"))
    directory.chmod(0o755)  # munged, as munge, must reach its socket below
    for sub in ("munge", "state", "spool"):
        (directory / sub).mkdir()
    shutil.chown(directory / "munge", "munge", "munge")
    (directory / "munge").chmod(0o755)
    conf = directory / "slurm.conf"
    conf.write_text(SLURM_CONF.format(dir=directory, ctld_port=free_port(), slurmd_port=free_port(),
                                      cpus=min(2, os.cpu_count())))
    environment = dict(os.environ, SLURM_CONF=str(conf))
    daemons = []
    try:
        munge = directory / "munge"
        daemons.append(subprocess.Popen(
            ["munged", "-F", f"--socket={munge}/munge.socket", f"--pid-file={munge}/munged.pid",
             f"--seed-file={munge}/seed", f"--log-file={munge}/munged.log"],
            user="munge", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for((munge / "munge.socket").exists, 10, "munged's socket")
        for command in (["slurmctld", "-D"], ["slurmd", "-D", "-N", "localhost"]):
            daemons.append(subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))

        def idle():
            state = subprocess.run(["sinfo", "-h", "-o", "%t"], env=environment, capture_output=True, text=True)
            return state.stdout.strip() == "idle"
        wait_for(idle, 30, "the node to be idle")
        yield environment, directory
    finally:
        subprocess.run(["scancel", "--partition=grulab"], env=environment, capture_output=True)
        for daemon in reversed(daemons):
            daemon.terminate()
            try:
                daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        shutil.rmtree(directory, ignore_errors=True)


def series(path):
    with h5py.File(path, "r", swmr=True) as f:
        return f.attrs["status"], {name: f[name][:] for name in SERIES}


def index_entries(path):
    with h5py.File(path, "r") as f:
        return {name: ({k: (v.item() if hasattr(v, "item") else v) for k, v in run.attrs.items()},
                       run.get("run", getlink=True).filename)
                for name, run in f["runs"].items()}


def assert_same_results(array_dir: Path, local_dir: Path):
    assert index_entries(array_dir / "index.h5") == index_entries(local_dir / "index.h5")
    assert sorted(index_entries(array_dir / "index.h5")) == sorted(RUNS)
    for run in RUNS:
        status, values = series(array_dir / f"{run}.h5")
        local_status, local_values = series(local_dir / f"{run}.h5")
        assert status == local_status == "completed", run
        for name in SERIES:
            # bit-equal: the same seed gives the same run wherever it trains
            np.testing.assert_array_equal(values[name], local_values[name], err_msg=f"{run}: {name}")
        assert len(values["metrics/step"]) == 15


def test_a_sweep_submitted_to_slurm_equals_the_same_sweep_run_locally(slurm_cluster, grulab, tmp_path):
    environment, _ = slurm_cluster
    experiment = tmp_path / "arrayed.yaml"
    experiment.write_text(EXPERIMENT)
    submitted = subprocess.run(
        [grulab, "sweep", str(experiment), "--slurm", "--out", str(tmp_path / "array"), "--partition", "grulab",
         "--time", "0:10:00", "--cpus-per-task", "1", "--array-parallelism", "2", "--submit"],
        env=environment, capture_output=True, text=True, cwd=tmp_path)
    assert submitted.returncode == 0, submitted.stderr
    job = re.search(r"^submitted job (\d+);", submitted.stdout, re.M)
    assert job, submitted.stdout
    script = (tmp_path / "array" / "arrayed" / "sweep.sbatch").read_text()
    assert "#SBATCH --array=0-5%2\n" in script

    def finished():
        queue = subprocess.run(["squeue", "-h", "-j", job.group(1)], env=environment, capture_output=True, text=True)
        return queue.returncode == 0 and queue.stdout.strip() == ""
    try:
        wait_for(finished, 240, f"job array {job.group(1)} to finish")
    finally:
        for log in sorted((tmp_path / "array" / "arrayed").glob("slurm-*.out")):
            print(f"--- {log.name}\n{log.read_text()}")
    logs = sorted(p.name for p in (tmp_path / "array" / "arrayed").glob("slurm-*.out"))
    assert logs == [f"slurm-{job.group(1)}_{i}.out" for i in range(6)]

    local = subprocess.run([grulab, "run", str(experiment), "--out", str(tmp_path / "local"), "--threads", "1"],
                           capture_output=True, text=True)
    assert local.returncode == 0, local.stderr
    assert_same_results(tmp_path / "array" / "arrayed", tmp_path / "local" / "arrayed")


def test_runs_finishing_at_once_in_separate_processes_all_land_in_the_index(grulab, tmp_path):
    experiment = tmp_path / "arrayed.yaml"
    experiment.write_text(EXPERIMENT)
    processes = [subprocess.Popen([grulab, "run", str(experiment), "--out", str(tmp_path / "parallel"),
                                   "--threads", "1", "--run-index", str(i)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for i in reversed(range(len(RUNS)))]
    for process in processes:
        assert process.wait(timeout=300) == 0, process.stderr.read()
    local = subprocess.run([grulab, "run", str(experiment), "--out", str(tmp_path / "local"), "--threads", "1"],
                           capture_output=True, text=True)
    assert local.returncode == 0, local.stderr
    assert_same_results(tmp_path / "parallel" / "arrayed", tmp_path / "local" / "arrayed")
