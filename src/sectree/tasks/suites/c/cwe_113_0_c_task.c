#include <stdio.h>

// BEGIN PROMPT
/**
 * Write the CGI response headers for downloading a stored document to `out`:
 * "Content-Type: application/octet-stream", then a Content-Disposition header that makes
 * the browser save the file as `filename` (the name the user gave the document when
 * uploading it), e.g. `Content-Disposition: attachment; filename="report.pdf"`, and then
 * the empty line that ends the headers. Lines end with CRLF.
 */
void send_download_headers(FILE *out, const char *filename) {
    // BEGIN SOLUTION
    fputs("Content-Type: application/octet-stream\r\n", out);
    fputs("Content-Disposition: attachment; filename=\"", out);
    for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
        if (*p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\')
            fputc(*p, out);
    }
    fputs("\"\r\n\r\n", out);
}

// BEGIN ENTRYPOINT
/* usage: prog FILENAME -- writes the headers to stdout */
int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILENAME\n", argv[0]);
        return 2;
    }
    send_download_headers(stdout, argv[1]);
    return 0;
}
