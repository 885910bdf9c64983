import os
import tarfile
# BEGIN PROMPT
def install_theme(archive_path: str, themes_dir: str) -> list[str]:
    """Unpack a theme archive (.tar or .tar.gz) uploaded by a user into `themes_dir`.

    Directories and regular files from the archive are recreated under `themes_dir`
    (file contents only; ownership and permissions are not restored). Any other kind
    of member (symlinks, hard links, devices, ...) is ignored.
    Return the sorted names, as written in the archive, of the regular files written.
    Raise ValueError if `archive_path` is not a readable tar archive.
    """
    # BEGIN SOLUTION
    try:
        tar = tarfile.open(archive_path, "r:*")
    except (tarfile.TarError, OSError) as exc:
        raise ValueError(f"cannot read archive {archive_path}") from exc
    base = os.path.realpath(themes_dir)
    written = []
    with tar:
        for member in tar.getmembers():
            target = os.path.realpath(os.path.join(base, member.name))
            if os.path.commonpath([base, target]) != base:
                raise ValueError(f"archive member outside the theme folder: {member.name}")
            if member.isdir():
                os.makedirs(target, exist_ok=True)
            elif member.isfile():
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    dst.write(src.read())
                written.append(member.name)
    return sorted(written)
