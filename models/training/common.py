"""Shared paths and helpers for the Paper Atlas model training scripts."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
REPO = os.path.dirname(MODELS)
DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data"))
# Caches, checkpoints and logs live OUTSIDE the repository (never committed; the git history is already
# large): $ATLAS_TRAIN_CACHE, else <repo>/../cache/training (/work/cache/training for /work/main).
CACHE = os.environ.get("ATLAS_TRAIN_CACHE") or os.path.normpath(os.path.join(REPO, "..", "cache", "training"))
LOGS = os.path.join(CACHE, "logs")
NODE_MODULES = os.path.join(REPO, "node_modules")
ARXIV = os.path.join(DATA, "arxiv", "arxiv-listings.jsonl.gz")
ACL = os.path.join(DATA, "acl", "acl-anthology.jsonl.gz")
MLM_DIR = os.path.join(MODELS, "atlas-mini-mlm")
ENC_DIR = os.path.join(MODELS, "atlas-mini-encoder")

os.makedirs(CACHE, exist_ok=True)
os.makedirs(LOGS, exist_ok=True)


_THREADS_SET = False


def set_threads(n=2):
    """n intra-op threads (default 2: the machine's 2 cores are shared; torch's own default here is 1);
    safe to call more than once."""
    global _THREADS_SET
    import torch
    torch.set_num_threads(n)
    if not _THREADS_SET:
        torch.set_num_interop_threads(1)
        _THREADS_SET = True


def pad_rows(seqs):
    """Token-id rows padded with 0 ([PAD]) to the longest: (ids, attention mask), int64 numpy arrays."""
    import numpy as np
    width = max(len(s) for s in seqs)
    ids = np.zeros((len(seqs), width), dtype=np.int64)
    att = np.zeros((len(seqs), width), dtype=np.int64)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = s
        att[r, :len(s)] = 1
    return ids, att
