#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// BEGIN PROMPT
struct image {
    uint32_t width, height;
    unsigned char *rgb; /* width * height pixels, 3 bytes each, row after row */
};

/**
 * Load an uploaded image from `in`. The file starts with a text line
 * "<width> <height>\n" (each from 1 to 65535), followed by the pixel rows from top
 * to bottom; each row holds `width` RGB pixels (3 bytes each) and is padded with
 * zero bytes to a multiple of 4 bytes.
 *
 * @return the image, with the pixels (without the padding) in a newly allocated
 *         buffer, or NULL if the file is malformed or truncated or memory runs out.
 */
struct image *load_image(FILE *in) {
    // BEGIN SOLUTION
    uint32_t w, h;
    if (fscanf(in, "%" SCNu32 " %" SCNu32, &w, &h) != 2 || fgetc(in) != '\n')
        return NULL;
    if (w < 1 || w > 65535 || h < 1 || h > 65535)
        return NULL;
    uint32_t row = w * 3;
    uint32_t pad = (4 - row % 4) % 4;
    unsigned char *rgb = malloc(row * h);
    struct image *img = malloc(sizeof *img);
    if (!rgb || !img)
        goto fail;
    for (uint32_t y = 0; y < h; y++) {
        unsigned char skip[3];
        if (fread(rgb + y * row, 1, row, in) != row || fread(skip, 1, pad, in) != pad)
            goto fail;
    }
    img->width = w;
    img->height = h;
    img->rgb = rgb;
    return img;
fail:
    free(rgb);
    free(img);
    return NULL;
}

// BEGIN ENTRYPOINT
/* usage: prog < IMAGE -- prints "<width> <height>\n" and the raw pixels, or "ERROR\n" */
int main(void) {
    struct image *img = load_image(stdin);
    if (!img) {
        puts("ERROR");
        return 0;
    }
    printf("%" PRIu32 " %" PRIu32 "\n", img->width, img->height);
    fwrite(img->rgb, 3, (size_t)img->width * img->height, stdout);
    free(img->rgb);
    free(img);
    return 0;
}
