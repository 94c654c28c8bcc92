"""Checks of the fast MLM pipeline's pieces (no corpus needed; ~10 s on one core):
  cd models/training && python3 -m unittest test_train_mlm -v
"""
import os
import unittest

import numpy as np
import torch
import torch.nn.functional as F

from corpus import CLS, SEP, MASK
import train_mlm as T


class FakeCorpus:
    def __init__(self, texts):
        self.texts = [np.asarray(t, dtype=np.int64) for t in texts]

    def abstract(self, i):
        return self.texts[i]

    def title(self, i):
        return np.asarray([7, 8], dtype=np.int64)


class TestPacking(unittest.TestCase):
    def test_rows_hold_whole_texts_with_restarting_positions(self):
        texts = [[1000 + i * 10 + j for j in range(n)] for i, n in enumerate([5, 9, 3, 12, 7])]
        ts = T.TextSet(FakeCorpus(texts), range(5), max_text=10)  # text 3 truncated to 8 ids + CLS/SEP
        self.assertEqual(list(ts.lens), [7, 10, 5, 10, 9])
        order = np.array([2, 0, 4, 1, 3])
        ids, text, pos = ts.packed(order, seq=8)
        self.assertEqual(ids.shape, (41 // 8, 8))
        flat_ids, flat_text, flat_pos = ids.reshape(-1), text.reshape(-1), pos.reshape(-1)
        expect = np.concatenate([np.r_[CLS, texts[k][:8], SEP] for k in order])[: ids.size]
        np.testing.assert_array_equal(flat_ids, expect)
        for k in range(len(order)):  # each text: contiguous, positions 0..len-1
            p = flat_pos[flat_text == k]
            np.testing.assert_array_equal(p, np.arange(len(p)))
            self.assertEqual(flat_ids[flat_text == k][0], CLS)

    def test_attention_bias_is_block_diagonal(self):
        text = torch.tensor([[0, 0, 1, 1, 1, 2]])
        b = T.attn_bias(text)[0, 0]
        self.assertEqual(b.shape, (6, 6))
        self.assertTrue(torch.equal(b == 0, text[0][:, None] == text[0][None, :]))
        self.assertEqual(float(b[0, 2]), T.NEG)


class TestMasking(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(0)
        self.cont = np.zeros(30522, dtype=bool)
        self.cont[20000:30522] = True  # ids >= 20000 play '##' pieces
        # 200 rows x 128: CLS, words of 1-3 pieces, SEP in the middle and at the end
        rows = []
        for _ in range(200):
            r = [CLS]
            while len(r) < 127:
                r.append(int(rng.integers(1000, 20000)))
                r.extend(int(x) for x in rng.integers(20000, 30522, size=int(rng.integers(0, 3))))
            r = r[:127] + [SEP]
            r[60] = SEP
            r[61] = CLS
            rows.append(r)
        self.ids = torch.tensor(rows)
        self.masker = T.Masker(self.cont, torch.device("cpu"), rate=0.15, ngram_probs=(0.5, 0.3, 0.2))

    def run_masker(self, seed=1):
        g = torch.Generator()
        g.manual_seed(seed)
        return self.masker(self.ids, g)

    def test_rate_specials_whole_words_and_80_10_10(self):
        inp, sel, tgt = self.run_masker()
        flat = self.ids.reshape(-1)
        masked = torch.zeros_like(flat, dtype=torch.bool)
        masked[sel] = True
        special = (flat == CLS) | (flat == SEP)
        self.assertFalse(bool((masked & special).any()), "special tokens are never masked")
        self.assertTrue(torch.equal(tgt, flat[sel]))
        rate = float(masked.sum()) / float((~special).sum())
        self.assertGreater(rate, 0.12)
        self.assertLess(rate, 0.18)
        # whole words: a continuation piece is masked iff the piece before it is (inside a row, no specials)
        cont = torch.from_numpy(self.cont)[flat]
        m2 = masked.view_as(self.ids)
        c2 = cont.view_as(self.ids)
        s2 = special.view_as(self.ids)
        inner = c2[:, 1:] & ~s2[:, :-1]
        self.assertTrue(torch.equal(m2[:, 1:][inner], m2[:, :-1][inner]))
        inp_flat = inp.reshape(-1)
        self.assertTrue(torch.equal(inp_flat[~masked], flat[~masked]), "unmasked positions unchanged")
        share_mask = float((inp_flat[sel] == MASK).float().mean())
        share_kept = float((inp_flat[sel] == flat[sel]).float().mean())
        self.assertAlmostEqual(share_mask, 0.8, delta=0.05)
        self.assertAlmostEqual(share_kept, 0.1, delta=0.04)

    def test_spans_cover_several_words(self):
        _, sel, _ = self.run_masker()
        flat = self.ids.reshape(-1)
        starts = ~torch.from_numpy(self.cont)[flat] & (flat != CLS) & (flat != SEP)
        masked = torch.zeros_like(flat, dtype=torch.bool)
        masked[sel] = True
        wm = masked[starts].numpy().astype(int)  # per word, in order
        runs = np.diff(np.flatnonzero(np.diff(np.r_[0, wm, 0])))[::2]
        self.assertGreater(runs.mean(), 1.4, "n-gram spans: masked words come in runs")
        self.assertLess(runs.mean(), 3.0)

    def test_deterministic_per_seed(self):
        a, b, c = self.run_masker(5), self.run_masker(5), self.run_masker(6)
        self.assertTrue(torch.equal(a[0], b[0]))
        self.assertFalse(torch.equal(a[0], c[0]))

    def test_piece_rate_masks_single_pieces_of_multi_piece_words(self):
        g = torch.Generator()
        g.manual_seed(3)
        masker = T.Masker(self.cont, torch.device("cpu"), rate=0.15, ngram_probs=(0.5, 0.3, 0.2), piece_rate=0.2)
        _, sel, _ = masker(self.ids, g)
        _, sel0, _ = self.run_masker(3)
        flat = self.ids.reshape(-1)
        masked = torch.zeros_like(flat, dtype=torch.bool)
        masked[sel] = True
        special = (flat == CLS) | (flat == SEP)
        self.assertFalse(bool((masked & special).any()), "special tokens are never masked")
        c2 = torch.from_numpy(self.cont)[flat].view_as(self.ids) & ~special.view_as(self.ids)
        in_multi = c2.clone()
        in_multi[:, :-1] |= c2[:, 1:]
        m2 = masked.view_as(self.ids)
        # a continuation piece masked while the piece before it is visible: only piece masking does that
        split = c2[:, 1:] & m2[:, 1:] & ~m2[:, :-1]
        self.assertGreater(int(split.sum()), 50)
        extra = masked.clone()
        extra[sel0] = False  # positions masked beyond the whole-word masking of the same seed
        self.assertFalse(bool((extra & ~in_multi.reshape(-1)).any()), "single-piece words are only masked whole")
        share = float(extra.sum()) / float(in_multi.sum())
        self.assertGreater(share, 0.12)
        self.assertLess(share, 0.22)

    def test_span_start_prob_hits_rate(self):
        p = T.span_start_prob(0.15, [0.5, 0.3, 0.2])
        cov = 1 - (1 - p) * (1 - p * 0.5) * (1 - p * 0.2)
        self.assertAlmostEqual(cov, 0.15, places=6)


class TestVocabCE(unittest.TestCase):
    def test_matches_cross_entropy_loss_and_gradients(self):
        torch.manual_seed(0)
        n, d, V = 37, 16, 300
        h = torch.randn(n, d, dtype=torch.float64, requires_grad=True)
        W = torch.randn(V, d, dtype=torch.float64, requires_grad=True)
        b = torch.randn(V, dtype=torch.float64, requires_grad=True)
        t = torch.randint(0, V, (n,))
        ref = F.cross_entropy(h @ W.t() + b, t)
        gref = torch.autograd.grad(ref, (h, W, b))
        loss, correct = T.VocabCE.apply(h, W, b, t, 10, torch.float64)  # 4 chunks, last one short
        g = torch.autograd.grad(3 * loss, (h, W, b))
        self.assertAlmostEqual(float(loss), float(ref), places=10)
        self.assertEqual(int(correct), int(((h @ W.t() + b).argmax(1) == t).sum()))
        for x, y in zip(g, gref):
            torch.testing.assert_close(x, 3 * y)


if __name__ == "__main__":
    unittest.main()


@unittest.skipUnless(os.path.exists(os.path.join(T.CACHE, "tokens.u16")),
                     "needs the tokenised corpus (node tokenize_corpus.mjs); skipped")
class TestResume(unittest.TestCase):
    """3 steps + resume + 3 steps == 6 steps in one sitting (weights, optimizer moments, data position)."""

    def run_cli(self, out, steps, resume=False):
        import subprocess
        import sys
        cmd = [sys.executable, "train_mlm.py", "--out", out, "--max-steps", str(steps), "--batch", "4", "--seq", "64",
               "--epochs", "0.01", "--warmup", "2", "--eval-rows", "4", "--log-every", "1"] + (["--resume"] if resume else [])
        r = subprocess.run(cmd, cwd=os.path.dirname(os.path.abspath(__file__)), capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def test_resume_equals_one_sitting(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            one, two = os.path.join(d, "one.pt"), os.path.join(d, "two.pt")
            self.run_cli(one, 6)
            self.run_cli(two, 3)
            log = self.run_cli(two, 3, resume=True)
            self.assertIn("resumed from", log)
            a, b = torch.load(one), torch.load(two)
            self.assertEqual(a["state"]["step"], 6)
            self.assertEqual(a["state"]["row"], b["state"]["row"])
            self.assertEqual(a["state"]["tokens"], b["state"]["tokens"])
            for k in a["model"]:
                torch.testing.assert_close(a["model"][k], b["model"][k], rtol=0, atol=0, msg=k)
            sa, sb = a["opt"]["state"], b["opt"]["state"]
            for k in sa:
                torch.testing.assert_close(sa[k]["exp_avg_sq"], sb[k]["exp_avg_sq"], rtol=0, atol=0)
