"""Minimal BERT (Hugging Face parameter layout) in pure PyTorch: encoder + tied MLM head."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Cfg:
    def __init__(self, vocab_size=30522, hidden_size=128, num_hidden_layers=4, num_attention_heads=2,
                 intermediate_size=512, max_position_embeddings=512, type_vocab_size=2,
                 hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, layer_norm_eps=1e-12,
                 initializer_range=0.02, **_):
        self.__dict__.update(locals())
        del self.__dict__["self"], self.__dict__["_"]

    def to_hf(self):
        return {
            "architectures": ["BertModel"], "model_type": "bert", "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size, "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads, "intermediate_size": self.intermediate_size,
            "hidden_act": "gelu", "hidden_dropout_prob": self.hidden_dropout_prob,
            "attention_probs_dropout_prob": self.attention_probs_dropout_prob,
            "max_position_embeddings": self.max_position_embeddings, "type_vocab_size": self.type_vocab_size,
            "initializer_range": self.initializer_range, "layer_norm_eps": self.layer_norm_eps,
            "pad_token_id": 0, "position_embedding_type": "absolute",
        }


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids, position_ids=None):
        if position_ids is None:  # one text per row, starting at position 0 (inference, ONNX export)
            position_ids = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = (self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
             + self.token_type_embeddings(token_type_ids))
        return self.dropout(self.LayerNorm(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c.hidden_size
        self.nh = c.num_attention_heads
        self.dh = h // self.nh
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)
        self.attn_out = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=c.layer_norm_eps)
        self.inter = nn.Linear(h, c.intermediate_size)
        self.out = nn.Linear(c.intermediate_size, h)
        self.ln2 = nn.LayerNorm(h, eps=c.layer_norm_eps)
        self.drop = nn.Dropout(c.hidden_dropout_prob)
        self.adrop = nn.Dropout(c.attention_probs_dropout_prob)

    def forward(self, x, bias):
        b, s, h = x.shape
        q = self.query(x).view(b, s, self.nh, self.dh).transpose(1, 2)
        k = self.key(x).view(b, s, self.nh, self.dh).transpose(1, 2)
        v = self.value(x).view(b, s, self.nh, self.dh).transpose(1, 2)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dh) + bias
        att = self.adrop(F.softmax(att, dim=-1))
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.attn_out(ctx)))
        y = self.out(F.gelu(self.inter(x)))
        return self.ln2(x + self.drop(y))


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.cfg = c
        self.embeddings = Embeddings(c)
        self.layers = nn.ModuleList([Layer(c) for _ in range(c.num_hidden_layers)])
        self.apply(self._init)

    def _init(self, m):
        std = self.cfg.initializer_range
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, std)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, std)
            if m.padding_idx is not None:
                with torch.no_grad():
                    m.weight[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask, token_type_ids, position_ids=None, attn_bias=None):
        """attention_mask [b, s] (1 = token, 0 = padding). Packed training rows instead pass attn_bias
        [b, 1, s, s] (0 within a text, -10000 across texts) and position_ids [b, s] restarting at each text."""
        if attn_bias is None:
            attn_bias = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -10000.0
        bias = attn_bias
        x = self.embeddings(input_ids, token_type_ids, position_ids)
        for layer in self.layers:
            x = layer(x, bias)
        return x


class MLMHead(nn.Module):
    def __init__(self, c, word_embeddings):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.ln = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.word_embeddings = word_embeddings  # tied decoder weight
        self.bias = nn.Parameter(torch.zeros(c.vocab_size))
        nn.init.normal_(self.dense.weight, 0.0, c.initializer_range)
        nn.init.zeros_(self.dense.bias)

    def transform(self, h):
        """Everything before the vocabulary projection (dense -> GELU -> LayerNorm)."""
        h = F.gelu(self.dense(h))
        if h.dtype != self.ln.weight.dtype:  # bf16 autocast on CPU (torch 1.13 leaves layer_norm uncast)
            h = h.to(self.ln.weight.dtype)
        return self.ln(h)

    def forward(self, h):
        return torch.matmul(self.transform(h), self.word_embeddings.weight.t()) + self.bias


class BertMLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = Bert(c)
        self.head = MLMHead(c, self.bert.embeddings.word_embeddings)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.head(self.bert(input_ids, attention_mask, token_type_ids))


def flops_per_token(c, seq=256):
    h, f = c.hidden_size, c.intermediate_size
    per_layer = 2 * (4 * h * h + 2 * h * f) + 2 * 2 * seq * h
    return c.num_hidden_layers * per_layer
