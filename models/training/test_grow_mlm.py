"""Checks of grow_mlm.py (no corpus needed; a few seconds):
  cd models/training && python3 -m unittest test_grow_mlm -v
"""
import unittest

import torch

from grow_mlm import grow
from model import BertMLM, Cfg


def small_model(seed=0):
    torch.manual_seed(seed)
    cfg = Cfg(vocab_size=300, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
              max_position_embeddings=64, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    net = BertMLM(cfg)
    with torch.no_grad():  # not a fresh init: LayerNorm affines and biases away from 1 / 0, as after training
        for name, p in net.named_parameters():
            if name.endswith("bias") or "LayerNorm" in name or ".ln" in name:
                p.add_(torch.randn_like(p) * 0.3)
    return net.eval(), cfg


def batch():
    gen = torch.Generator().manual_seed(3)
    ids = torch.randint(5, 300, (3, 20), generator=gen)
    return ids, torch.ones_like(ids), torch.zeros_like(ids)


class TestGrow(unittest.TestCase):
    def test_wider_and_deeper_model_computes_the_same_logits(self):
        small, cfg = small_model()
        big, big_cfg = grow(small.state_dict(), cfg, layers=4, hidden=32, heads=4, ffn=64)
        self.assertEqual((big_cfg.num_hidden_layers, big_cfg.hidden_size), (4, 32))
        with torch.no_grad():
            a, b = small(*batch()), big.eval()(*batch())
        self.assertLess((a - b).abs().max().item(), 1e-4)

    def test_copies_of_a_unit_get_different_gradients(self):
        small, cfg = small_model()
        big, _ = grow(small.state_dict(), cfg, layers=2, hidden=32, heads=4, ffn=64)
        logits = big.train()(*batch())
        logits.logsumexp(-1).sum().backward()
        g = big.bert.layers[0].inter.weight.grad  # rows 0..31 and 32..63 are copies of the same 32 units
        self.assertGreater((g[:32] - g[32:]).abs().max().item(), 1e-6)

    def test_tied_decoder_stays_tied(self):
        small, cfg = small_model()
        big, _ = grow(small.state_dict(), cfg, layers=3, hidden=32, heads=4, ffn=64)
        self.assertIs(big.head.word_embeddings.weight, big.bert.embeddings.word_embeddings.weight)


if __name__ == "__main__":
    unittest.main()
