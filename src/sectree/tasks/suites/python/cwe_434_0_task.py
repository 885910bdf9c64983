import os
import secrets

# BEGIN PROMPT
MAX_AVATAR_BYTES = 2 * 1024 * 1024
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


def save_avatar(upload_root: str, user_id: int, filename: str, content_type: str, data: bytes) -> str:
    """Store the avatar a user uploaded through the profile form and return its path
    relative to `upload_root`.

    `filename` and `content_type` are what the browser sent for the file part. Only PNG,
    JPEG, GIF and WebP images of at most MAX_AVATAR_BYTES are accepted; raise ValueError
    otherwise. The file goes into `upload_root/<user_id>/` (created if needed), replacing
    the user's previous avatar. The web server publishes `upload_root` as /media/.
    """
    # BEGIN SOLUTION
    mime = content_type.split(";", 1)[0].strip().lower()
    ext = IMAGE_TYPES.get(mime)
    if ext is None or not data or len(data) > MAX_AVATAR_BYTES:
        raise ValueError("avatar must be a PNG, JPEG, GIF or WebP image of at most 2 MiB")
    user_dir = os.path.join(upload_root, str(int(user_id)))
    os.makedirs(user_dir, exist_ok=True)
    for old in os.listdir(user_dir):
        os.remove(os.path.join(user_dir, old))
    stored_name = f"avatar-{secrets.token_hex(8)}{ext}"
    with open(os.path.join(user_dir, stored_name), "wb") as f:
        f.write(data)
    return f"{int(user_id)}/{stored_name}"
