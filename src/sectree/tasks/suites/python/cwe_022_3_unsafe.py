import os
import zipfile
# BEGIN PROMPT
def unpack_upload(zip_path: str, dest_dir: str) -> list[str]:
    """Extract the files of the zip archive a user uploaded (`zip_path`) into `dest_dir`,
    creating subfolders as needed. Return the names of the files written, as listed
    in the archive (folder entries are skipped)."""
    # BEGIN SOLUTION
    written = []
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            target = os.path.join(dest_dir, info.filename)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                dst.write(src.read())
            written.append(info.filename)
    return written
