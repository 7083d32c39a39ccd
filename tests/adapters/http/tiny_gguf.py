"""A tiny llama-architecture GGUF with random weights, written with the `gguf` package.

No weights are downloaded: llama.cpp's server loads this file like any model, tokenizes with its
byte-fallback vocabulary, applies its chat template and streams tokens, so the wire format, the
`max_tokens` limit and usage reporting are exercised end to end. What it says is noise; whether
a real small model calls tools well is what `VIZOCHOK_TEST_GGUF` (a real model file) is for.

    python -m tests.adapters.http.tiny_gguf OUT.gguf
"""

from __future__ import annotations

import sys
from pathlib import Path

EMBED, LAYERS, HEADS, FF, CONTEXT = 64, 2, 4, 128, 8192
# A ChatML template: llama.cpp renders it with its Jinja engine (`--jinja`).
TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _vocabulary() -> tuple[list[bytes], list[float], list[int]]:
    """SentencePiece-style: specials, 256 byte tokens, then common pieces (so text has short encodings)."""
    import gguf

    kind = gguf.TokenType
    tokens = [b"<unk>", b"<s>", b"</s>", b"<|im_start|>", b"<|im_end|>"]
    types = [kind.UNKNOWN, kind.CONTROL, kind.CONTROL, kind.CONTROL, kind.CONTROL]
    tokens += [f"<0x{i:02X}>".encode() for i in range(256)]
    types += [kind.BYTE] * 256
    pieces = [
        "\u2581",
        *"abcdefghijklmnopqrstuvwxyz",
        *"абвгдеєжзиіїйклмнопрстуфхцчшщьюя",
        *'{}[]":,.!?0123456789',
    ]
    pieces += ["\u2581" + p for p in ("name", "arguments", "query", "молоко", "хліб", "search_products")]
    tokens += [p.encode() for p in pieces]
    types += [kind.NORMAL] * len(pieces)
    scores = [0.0] * (5 + 256) + [-float(i) for i in range(len(pieces))]
    return tokens, scores, [int(t) for t in types]


def write(path: Path, seed: int = 7) -> Path:
    """Write the model to `path` (about 0.6 MB) and return it."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(seed)
    tokens, scores, types = _vocabulary()
    vocab = len(tokens)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("vizochok-tiny-random")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBED)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FF)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(EMBED // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(4)  # <|im_end|> ends a turn, as in ChatML models
    writer.add_add_bos_token(False)
    writer.add_chat_template(TEMPLATE)

    writer.add_tensor("token_embd.weight", weights(vocab, EMBED))
    writer.add_tensor("output_norm.weight", np.ones(EMBED, dtype=np.float32))
    writer.add_tensor("output.weight", weights(vocab, EMBED))
    for block in range(LAYERS):
        prefix = f"blk.{block}."
        writer.add_tensor(prefix + "attn_norm.weight", np.ones(EMBED, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(prefix + name + ".weight", weights(EMBED, EMBED))
        writer.add_tensor(prefix + "ffn_norm.weight", np.ones(EMBED, dtype=np.float32))
        writer.add_tensor(prefix + "ffn_gate.weight", weights(FF, EMBED))
        writer.add_tensor(prefix + "ffn_up.weight", weights(FF, EMBED))
        writer.add_tensor(prefix + "ffn_down.weight", weights(EMBED, FF))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1])))
