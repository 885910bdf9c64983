#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

// BEGIN PROMPT
struct Account {
    std::string owner;
    long balance; // in cents
};

/**
 * Move `amount` cents from the account of `from` to the account of `to` in the
 * bank's account list `accounts`. If `to` has no account yet, a new account for
 * `to` with balance 0 is appended to `accounts` to receive the money.
 *
 * @return true if the money was moved; false (and `accounts` is left unchanged) if
 *         `from` has no account, `from` and `to` are the same, `amount` is not
 *         positive, or the balance of `from` is less than `amount`.
 */
bool transfer(std::vector<Account>& accounts, const std::string& from, const std::string& to, long amount) {
    // BEGIN SOLUTION
    auto find = [&](const std::string& owner) {
        return std::find_if(accounts.begin(), accounts.end(), [&](const Account& a) { return a.owner == owner; });
    };
    auto src = find(from);
    if (src == accounts.end() || from == to || amount <= 0 || src->balance < amount)
        return false;
    std::size_t src_index = src - accounts.begin();
    auto dst = find(to);
    if (dst == accounts.end()) {
        accounts.push_back(Account{to, 0});
        dst = accounts.end() - 1;
    }
    accounts[src_index].balance -= amount;
    dst->balance += amount;
    return true;
}

// BEGIN ENTRYPOINT
// usage: prog < INPUT -- INPUT holds lines "OWNER BALANCE", an empty line, then lines
// "FROM TO AMOUNT"; prints "OK" or "REJECTED" per transfer, then "OWNER BALANCE" per account
int main(int argc, char** argv) {
    (void)argc;
    (void)argv;
    std::vector<Account> accounts;
    std::string line;
    while (std::getline(std::cin, line) && !line.empty()) {
        std::istringstream fields(line);
        Account a;
        if (fields >> a.owner >> a.balance)
            accounts.push_back(a);
    }
    while (std::getline(std::cin, line)) {
        std::istringstream fields(line);
        std::string from, to;
        long amount = 0;
        if (!(fields >> from >> to >> amount))
            continue;
        std::puts(transfer(accounts, from, to, amount) ? "OK" : "REJECTED");
    }
    for (const Account& a : accounts)
        std::printf("%s %ld\n", a.owner.c_str(), a.balance);
    return 0;
}
