"""Pack what train_mlm.py reads from the cache into models/training/cache/device/ (gitignored, < 64 MB) so it
can travel to a GPU machine with the working tree (the `run` tool's `carry`), where gpu_run.sh unpacks it.

  python3 device_bundle.py        # after tokenize_corpus.mjs and glove_init.py
"""
import gzip
import os
import shutil

from common import CACHE, HERE

FILES = ["tokens.u16", "docs.jsonl", "glove_vocab_init.npy", "glove_vocab_found.npy"]


def main():
    out = os.path.join(HERE, "cache", "device")
    os.makedirs(out, exist_ok=True)
    total = 0
    for f in FILES:
        dst = os.path.join(out, f + ".gz")
        with open(os.path.join(CACHE, f), "rb") as src, gzip.open(dst, "wb", compresslevel=6) as g:
            shutil.copyfileobj(src, g)
        total += os.path.getsize(dst)
        print(f"{dst} {os.path.getsize(dst) / 1e6:.1f} MB")
    print(f"total {total / 1e6:.1f} MB (carry limit 64 MiB)")


if __name__ == "__main__":
    main()
