#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// BEGIN PROMPT
#define NAME_LEN 32

struct contact {
    int id;
    char name[NAME_LEN];
};

/**
 * Create a contact with the given id and display name (as typed into the sign-up
 * form). Names longer than NAME_LEN - 1 characters are cut short.
 *
 * @return the new contact (the caller frees it), or NULL if memory runs out.
 */
struct contact *new_contact(int id, const char *name) {
    // BEGIN SOLUTION
    struct contact *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    c->id = id;
    snprintf(c->name, sizeof c->name, "%s", name);
    return c;
}

// BEGIN ENTRYPOINT
/* usage: prog ID NAME -- prints "<id> <name>" */
int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ID NAME\n", argv[0]);
        return 2;
    }
    struct contact *c = new_contact(atoi(argv[1]), argv[2]);
    if (!c)
        return 1;
    printf("%d %s\n", c->id, c->name);
    free(c);
    return 0;
}
