#include <stdarg.h>
#include <stdio.h>
#include <string.h>

// BEGIN PROMPT
/* Print a warning about line `lineno` of the settings file to stderr, printf-style:
   "settings:<lineno>: <formatted message>\n". */
static void report(int lineno, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "settings:%d: ", lineno);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/**
 * Check a settings file uploaded by a user, read from `in`. Empty lines and lines
 * starting with '#' are ignored; every other line must have the form "key=value" with
 * a key of "host", "port" or "user" and a non-empty value. Report each bad line with
 * report(), giving the text of the line (without its line ending) as the message, e.g.
 * "settings:3: colour=red".
 *
 * @return the number of bad lines.
 */
int check_settings(FILE *in) {
    // BEGIN SOLUTION
    char line[256];
    int lineno = 0, bad = 0;
    while (fgets(line, sizeof line, in)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *eq = strchr(line, '=');
        size_t key_len = eq ? (size_t)(eq - line) : 0;
        int known = key_len == 4 && (strncmp(line, "host", 4) == 0 || strncmp(line, "port", 4) == 0 ||
                                     strncmp(line, "user", 4) == 0);
        if (!known || eq[1] == '\0') {
            report(lineno, line);
            bad++;
        }
    }
    return bad;
}

// BEGIN ENTRYPOINT
/* usage: prog < SETTINGS -- warnings go to stderr; prints "<n> bad lines" to stdout */
int main(void) {
    int bad = check_settings(stdin);
    printf("%d bad lines\n", bad);
    return 0;
}
