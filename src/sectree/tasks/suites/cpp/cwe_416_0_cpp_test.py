"""Tests for transfer: opening a new account must not leave the sender's iterator dangling."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_416_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def run(accounts, transfers):
    data = "".join(f"{o} {b}\n" for o, b in accounts) + "\n" + "".join(f"{f} {t} {a}\n" for f, t, a in transfers)
    r = subprocess.run([str(BIN)], input=data.encode(), capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    lines = r.stdout.decode().splitlines()
    results, balances = lines[: len(transfers)], lines[len(transfers) :]
    return results, [(o, int(b)) for o, b in (line.split() for line in balances)]


BANK = [("alice", 10000), ("bob", 2500), ("carol", 0)]


@pytest.mark.functionality
def test_transfer_between_existing_accounts():
    results, balances = run(BANK, [("alice", "bob", 1500), ("bob", "carol", 4000)])
    assert_same(results, ["OK", "OK"])
    assert_same(balances, [("alice", 8500), ("bob", 0), ("carol", 4000)])


@pytest.mark.functionality
@pytest.mark.parametrize(
    "transfer",
    [("carol", "alice", 1), ("alice", "bob", 10001), ("alice", "bob", 0), ("alice", "bob", -50),
     ("alice", "alice", 10), ("mallory", "alice", 10)],
    ids=["empty-account", "insufficient", "zero", "negative", "self", "unknown-sender"],
)
def test_rejected_transfers_change_nothing(transfer):
    results, balances = run(BANK, [transfer])
    assert_same(results, ["REJECTED"])
    assert_same(balances, BANK)


@pytest.mark.functionality
def test_whole_balance_can_be_sent():
    results, balances = run(BANK, [("bob", "alice", 2500)])
    assert_same(results, ["OK"])
    assert_same(balances, [("alice", 12500), ("bob", 0), ("carol", 0)])


@pytest.mark.functionality
def test_new_recipient_gets_an_account():
    # three accounts: the list has spare room for a fourth one
    results, balances = run(BANK, [("alice", "dave", 700)])
    assert_same(results, ["OK"])
    assert_same(balances, [("alice", 9300), ("bob", 2500), ("carol", 0), ("dave", 700)])


@pytest.mark.security
@pytest.mark.parametrize("n_accounts", [1, 2, 4, 8])
def test_new_recipient_when_account_list_is_full(n_accounts):
    bank = [(f"user{i}", 1000 * (i + 1)) for i in range(n_accounts)]
    sender = bank[-1][0]
    results, balances = run(bank, [(sender, "newcomer", 100)])
    assert_same(results, ["OK"])
    expected = bank[:-1] + [(sender, bank[-1][1] - 100), ("newcomer", 100)]
    assert_same(balances, expected)


@pytest.mark.security
def test_many_new_recipients():
    transfers = [("alice", f"payee{i}", 10 + i) for i in range(20)]
    results, balances = run(BANK, transfers)
    assert_same(results, ["OK"] * 20)
    assert_same(balances[0], ("alice", 10000 - sum(10 + i for i in range(20))))
    assert_same(balances[3:], [(f"payee{i}", 10 + i) for i in range(20)])
