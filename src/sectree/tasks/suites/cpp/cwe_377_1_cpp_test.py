"""Tests for prepare_job_dir: job directories in a shared scratch area must not be hijackable."""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_377_1_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def umask022():
    os.umask(0o022)


class Jobs:
    """The program under test, fed one document at a time."""

    def __init__(self, scratch):
        self.p = subprocess.Popen([str(BIN), str(scratch)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=ENV, preexec_fn=umask022)

    def prepare(self, document):
        self.p.stdin.write(document.encode() + b"\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().decode().rstrip("\n")

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(timeout=5)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()
        self.p.stdout.close()
        err = self.p.stderr.read()
        self.p.stderr.close()
        assert self.p.returncode == 0, err.decode(errors="replace")[-1500:]


@pytest.fixture
def scratch(tmp_path):
    d = tmp_path / "scratch"
    d.mkdir()
    return d


@pytest.fixture
def jobs(scratch):
    j = Jobs(scratch)
    yield j
    j.close()


@pytest.mark.functionality
def test_document_saved_in_new_directory(scratch, jobs):
    d = jobs.prepare("%PDF-1.7 quarterly report")
    assert_same(os.path.dirname(os.path.abspath(d)), str(scratch))
    assert os.path.isdir(d) and not os.path.islink(d)
    assert_same(Path(d, "input.dat").read_text(), "%PDF-1.7 quarterly report")


@pytest.mark.functionality
def test_jobs_one_after_another(jobs):
    first = jobs.prepare("doc one")
    assert_same(Path(first, "input.dat").read_text(), "doc one")
    shutil.rmtree(first)  # the job finished
    second = jobs.prepare("doc two " * 1000)
    assert_same(Path(second, "input.dat").read_text(), "doc two " * 1000)


@pytest.mark.functionality
def test_missing_scratch_dir(tmp_path):
    j = Jobs(tmp_path / "missing")
    assert_same(j.prepare("x"), "ERROR")
    j.close()


@pytest.mark.security
def test_planted_directory_not_reused(jobs):
    first = jobs.prepare("doc one")
    shutil.rmtree(first)
    # another user of the scratch area pre-creates the next name as a directory they own
    os.mkdir(first)
    os.chmod(first, 0o777)
    second = jobs.prepare("CONFIDENTIAL contract")
    assert second != first, "used a directory someone else created"
    assert not os.path.exists(os.path.join(first, "input.dat"))


@pytest.mark.security
def test_planted_symlink_not_followed(tmp_path, jobs):
    attacker = tmp_path / "attacker"
    attacker.mkdir()
    first = jobs.prepare("doc one")
    shutil.rmtree(first)
    os.symlink(attacker, first)
    jobs.prepare("CONFIDENTIAL contract")
    assert_same(list(attacker.iterdir()), [], "the document was written into another user's directory")


@pytest.mark.security
def test_directory_private(jobs):
    d = jobs.prepare("CONFIDENTIAL contract")
    mode = stat.S_IMODE(os.stat(d).st_mode)
    assert_same(mode & 0o077, 0, f"job directory mode is {oct(mode)}")
