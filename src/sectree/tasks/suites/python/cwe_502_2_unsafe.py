import pickle
# BEGIN PROMPT
def load_cache(path: str):
    """Load the report cache file at `path`, which users may upload to restore their
    reports. The file is written with pickle.dump and holds plain data only: dicts,
    lists, tuples, strings, bytes, numbers, booleans and None."""
    # BEGIN SOLUTION
    with open(path, "rb") as f:
        return pickle.load(f)
