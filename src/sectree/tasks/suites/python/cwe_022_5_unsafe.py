import os
# BEGIN PROMPT
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif")


def list_album(gallery_dir: str, album: str) -> list[str]:
    """Return the sorted file names of the images (files whose names end in one of
    IMAGE_EXTENSIONS, in any case) in the album `album` of the photo gallery stored in
    `gallery_dir`. Each album is a folder; `album` comes from the URL /gallery/<album>
    and may name a nested album such as "2024/summer". Return [] if there is no such album."""
    # BEGIN SOLUTION
    root = os.path.realpath(gallery_dir)
    folder = os.path.realpath(os.path.join(root, album))
    if not os.path.isdir(folder):
        return []
    names = [n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n))]
    return sorted(n for n in names if n.lower().endswith(IMAGE_EXTENSIONS))
