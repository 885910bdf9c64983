#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// BEGIN PROMPT
struct account {
    int id;
    char *name; /* allocated with malloc; freed by free_account() */
};

void free_account(struct account *acct) {
    free(acct->name);
    acct->name = NULL;
}

/**
 * Rename the account to `name` (from the "change display name" form): replace
 * acct->name with a newly allocated copy of `name`. A valid name has 1 to 32
 * characters, each a letter, a digit, '_' or '-'.
 *
 * @return 0 on success; -1 if `name` is invalid or memory runs out, in which case
 *         the account keeps its current name.
 */
int rename_account(struct account *acct, const char *name) {
    // BEGIN SOLUTION
    size_t len = strlen(name);
    if (len < 1 || len > 32)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
            return -1;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    free(acct->name);
    acct->name = copy;
    return 0;
}

// BEGIN ENTRYPOINT
/* usage: prog ARG... -- starts with an account named "guest"; for each ARG: "?" prints
   "name <current name>", anything else renames the account and prints "ok <name>" or "invalid" */
int main(int argc, char *argv[]) {
    struct account acct = {1, strdup("guest")};
    if (!acct.name)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "?") == 0)
            printf("name %s\n", acct.name);
        else if (rename_account(&acct, argv[i]) == 0)
            printf("ok %s\n", acct.name);
        else
            puts("invalid");
    }
    free_account(&acct);
    return 0;
}
