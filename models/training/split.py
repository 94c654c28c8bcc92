"""Held-out split rule shared by training and evaluation (the TypeScript eval applies the same rule).

HELD OUT (never seen in any training step):
  * arXiv:  listed >= "2026-06-01"                (6,926 of 74,728 listings)
  * ACL:    int(year) >= 2021                      (5,350 of 30,012; the file ends at 2021, so the
                                                    brief's `year >= 2024` would hold out nothing)
TRAINING = everything else, minus any record whose normalised title equals a held-out title
(catches the same paper appearing in both arXiv and ACL, or listed twice).
Normalised title = lowercase, keep only [a-z0-9], e.g. "Open-Vocabulary  CLIP!" -> "openvocabularyclip".
"""
import re

ARXIV_HELDOUT_FROM = "2026-06-01"
ACL_HELDOUT_FROM_YEAR = 2021


def norm_title(t):
    return re.sub(r"[^a-z0-9]", "", (t or "").lower())


def is_heldout(rec):
    """rec: dict with src ('arxiv'|'acl') and listed (arXiv) or year (ACL)."""
    if rec["src"] == "arxiv":
        return (rec.get("listed") or "") >= ARXIV_HELDOUT_FROM
    try:
        return int(str(rec.get("year") or "0")[:4]) >= ACL_HELDOUT_FROM_YEAR
    except ValueError:
        return False


def split(docs):
    """Returns (train_idx, heldout_idx) lists of indices into docs."""
    held = [i for i, d in enumerate(docs) if is_heldout(d)]
    held_titles = {norm_title(docs[i]["title"]) for i in held}
    held_set = set(held)
    train = [i for i, d in enumerate(docs) if i not in held_set and norm_title(d["title"]) not in held_titles]
    return train, held
