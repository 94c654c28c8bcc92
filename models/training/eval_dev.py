"""Quick dev evaluation on the held-out arXiv split (listed >= 2026-06-01).

Tasks (queries and candidates are all held-out arXiv papers):
  * title -> own abstract retrieval among all held-out abstracts: MRR@10, R@10
  * related papers: for each abstract, its top-10 neighbour abstracts (self excluded);
    P@10 = fraction sharing the primary category (categories[0])
Systems: BM25 (k1=1.2, b=0.75, lowercase [a-z0-9]+ words), GloVe-SIF, encoder (torch checkpoint or
embeddings from embed_onnx.mjs), hybrid = RRF (k=60) of BM25 + encoder top-100 lists.
  python3 eval_dev.py --ckpt cache/enc_a.pt [--onnx-emb cache/emb_int8] [--json out.json]
"""
import argparse
import collections
import gzip
import json
import math
import os
import re
import time

import numpy as np

from common import ARXIV, ACL, CACHE
import split as splitmod

WORD = re.compile(r"[a-z0-9]+")


def words(s):
    return WORD.findall((s or "").lower())


def load_heldout():
    recs = []
    with gzip.open(ARXIV, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            r["src"] = "arxiv"
            if splitmod.is_heldout(r):
                recs.append(r)
    return recs


class BM25:
    def __init__(self, docs, k1=1.2, b=0.75):
        self.N = len(docs)
        lens = np.array([len(d) for d in docs], dtype=np.float64)
        avg = lens.mean()
        post = collections.defaultdict(list)
        for i, d in enumerate(docs):
            for w, tf in collections.Counter(d).items():
                post[w].append((i, tf))
        self.post = {}
        for w, lst in post.items():
            ids = np.array([x[0] for x in lst])
            tf = np.array([x[1] for x in lst], dtype=np.float64)
            idf = math.log(1 + (self.N - len(lst) + 0.5) / (len(lst) + 0.5))
            self.post[w] = (ids, idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lens[ids] / avg)))

    def scores(self, q):
        s = np.zeros(self.N)
        for w, qtf in collections.Counter(q).items():
            p = self.post.get(w)
            if p is not None:
                s[p[0]] += qtf * p[1]
        return s


def topk(scores, k, exclude=None):
    if exclude is not None:
        scores = scores.copy()
        scores[exclude] = -np.inf
    idx = np.argpartition(-scores, k)[:k]
    return idx[np.argsort(-scores[idx])]


def rrf(lists, k=60, n=10):
    sc = collections.defaultdict(float)
    for lst in lists:
        for r, d in enumerate(lst):
            sc[d] += 1.0 / (k + r + 1)
    return [d for d, _ in sorted(sc.items(), key=lambda x: -x[1])[:n]]


def metrics_title(rank_lists):
    mrr = np.mean([1.0 / (list(l[:10]).index(i) + 1) if i in l[:10] else 0 for i, l in enumerate(rank_lists)])
    r10 = np.mean([i in l[:10] for i, l in enumerate(rank_lists)])
    return mrr, r10


def metrics_related(rank_lists, cats):
    return np.mean([np.mean([cats[j] == cats[i] for j in l[:10]]) for i, l in enumerate(rank_lists)])


def dense_lists(Q, D, k, exclude_self=False):
    out = []
    for s in range(0, len(Q), 512):
        S = Q[s:s + 512] @ D.T
        if exclude_self:
            S[np.arange(S.shape[0]), np.arange(s, s + S.shape[0])] = -np.inf
        part = np.argpartition(-S, k, axis=1)[:, :k]
        for r in range(S.shape[0]):
            p = part[r]
            out.append(p[np.argsort(-S[r, p])])
    return out


def sif_embed(texts, vec, w2i, pw, a=1e-3):
    E = np.zeros((len(texts), vec.shape[1]), dtype=np.float32)
    for i, t in enumerate(texts):
        ws = [w for w in words(t) if w in w2i]
        if ws:
            wt = np.array([a / (a + pw.get(w, 0.0)) for w in ws], dtype=np.float32)
            E[i] = (wt[:, None] * vec[[w2i[w] for w in ws]]).sum(0) / len(ws)
    return E


def torch_embed(ckpt, corpus_token_lists, max_len):
    import torch
    from common import set_threads
    from model import Bert, Cfg
    from train_contrastive import pad, mean_pool
    from corpus import CLS, SEP
    set_threads()
    blob = torch.load(ckpt, map_location="cpu")
    model = Bert(Cfg(**blob["cfg"]))
    sd = blob["model"]
    if any(k.startswith("bert.") for k in sd):
        sd = {k[5:]: v for k, v in sd.items() if k.startswith("bert.")}
    model.load_state_dict(sd)
    model.eval()
    seqs = [np.concatenate([[CLS], np.asarray(t[: max_len - 2], dtype=np.int64), [SEP]]) for t in corpus_token_lists]
    order = np.argsort([len(s) for s in seqs])
    out = np.zeros((len(seqs), model.cfg.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for s in range(0, len(seqs), 64):
            idx = order[s:s + 64]
            ids, att = pad([seqs[i] for i in idx])
            out[idx] = mean_pool(model(ids, att, torch.zeros_like(ids)), att).numpy()
    return out


def norm(X):
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", action="append", default=[], help="encoder checkpoint(s) (torch)")
    ap.add_argument("--onnx-emb", action="append", default=[], help="prefix of embed_onnx.mjs output")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--doc-len", type=int, default=256, help="max tokens per abstract (incl. [CLS]/[SEP])")
    ap.add_argument("--json")
    a = ap.parse_args()
    t0 = time.time()
    recs = load_heldout()
    n = len(recs)
    cats = [r["categories"][0] for r in recs]
    print(f"held-out arXiv papers: {n}", flush=True)
    abs_words = [words(r["abstract"]) for r in recs]
    title_words = [words(r["title"]) for r in recs]
    results = collections.OrderedDict()
    bm_cache = os.path.join(CACHE, "bm25_lists.npz")
    if os.path.exists(bm_cache):
        z = np.load(bm_cache)
        bm_title, bm_rel = list(z["title"]), list(z["rel"])
    else:
        bm = BM25(abs_words)
        bm_title = [topk(bm.scores(q), 100) for q in title_words]
        bm_rel = [topk(bm.scores(q), 100, exclude=i) for i, q in enumerate(abs_words)]
        np.savez(bm_cache, title=np.array(bm_title), rel=np.array(bm_rel))
    results["BM25"] = (*metrics_title(bm_title), metrics_related(bm_rel, cats))
    print("BM25", results["BM25"], f"{time.time() - t0:.0f}s", flush=True)

    if not a.no_baselines:
        words_list = open(os.path.join(CACHE, "glove_words.txt"), encoding="utf-8").read().split("\n")
        vec = np.load(os.path.join(CACHE, "glove_vecs.npy"))
        w2i = {w: i for i, w in enumerate(words_list)}
        # word probabilities from the training split (arXiv + ACL abstracts)
        cnt = collections.Counter()
        for path, src in ((ARXIV, "arxiv"), (ACL, "acl")):
            with gzip.open(path, "rt", encoding="utf-8") as f:
                for line in f:
                    r = json.loads(line)
                    r["src"] = src
                    if not splitmod.is_heldout(r):
                        cnt.update(words(r.get("abstract")))
        tot = sum(cnt.values())
        pw = {w: c / tot for w, c in cnt.items()}
        T = sif_embed([r["title"] for r in recs], vec, w2i, pw)
        D = sif_embed([r["abstract"] for r in recs], vec, w2i, pw)
        # remove the first principal component (computed on the held-out abstracts)
        u = np.linalg.svd(D - 0 * D.mean(0), full_matrices=False)[2][0]
        T, D = norm(T - np.outer(T @ u, u)), norm(D - np.outer(D @ u, u))
        sif_title, sif_rel = dense_lists(T, D, 100), dense_lists(D, D, 100, exclude_self=True)
        results["GloVe-SIF"] = (*metrics_title(sif_title), metrics_related(sif_rel, cats))
        print("GloVe-SIF", results["GloVe-SIF"], f"{time.time() - t0:.0f}s", flush=True)

    systems = []
    if a.ckpt:
        from corpus import Corpus
        corpus = Corpus()
        by_id = {corpus.docs[i]["id"]: i for i in corpus.held_idx if corpus.docs[i]["src"] == "arxiv"}
        ix = [by_id[r["id"]] for r in recs]
        for ck in a.ckpt:
            T = torch_embed(ck, [corpus.title(i) for i in ix], 32)
            D = torch_embed(ck, [corpus.abstract(i) for i in ix], a.doc_len)
            systems.append((os.path.basename(ck) + ("" if a.doc_len == 256 else f"@{a.doc_len}"), norm(T), norm(D)))
    for p in a.onnx_emb:
        T = np.fromfile(p + ".titles.f32", dtype=np.float32).reshape(n, -1)
        D = np.fromfile(p + ".abstracts.f32", dtype=np.float32).reshape(n, -1)
        systems.append(("onnx:" + os.path.basename(p), norm(T), norm(D)))
    for name, T, D in systems:
        et, er = dense_lists(T, D, 100), dense_lists(D, D, 100, exclude_self=True)
        results[name] = (*metrics_title(et), metrics_related(er, cats))
        ht = [rrf([bm_title[i], et[i]]) for i in range(n)]
        hr = [rrf([bm_rel[i], er[i]]) for i in range(n)]
        results["hybrid BM25+" + name] = (*metrics_title(ht), metrics_related(hr, cats))
        print(name, results[name], "hybrid", results["hybrid BM25+" + name], f"{time.time() - t0:.0f}s", flush=True)

    print("\n| system | title->abstract MRR@10 | R@10 | related P@10 (same primary cat) |")
    print("|---|---|---|---|")
    for k, (m, r, p) in results.items():
        print(f"| {k} | {m:.4f} | {r:.4f} | {p:.4f} |")
    print(f"eval wall time {time.time() - t0:.0f}s on {n} held-out papers")
    if a.json:
        json.dump({k: {"mrr10": v[0], "r10": v[1], "related_p10": v[2]} for k, v in results.items()},
                  open(a.json, "w"), indent=2)


if __name__ == "__main__":
    main()
