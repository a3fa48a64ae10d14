"""Choosing the MatMuls the int8 graph keeps in float32 (matcher.provision.onnx_export)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from matcher.provision._common import ModelProvisioningError
from matcher.provision.onnx_export import _quantise, outlier_matmuls

ROWS, WIDTH = 64, 16


def tiny_graph(path: Path) -> Path:
    """x -> plain (MatMul on x) and spiked (MatMul on x plus one huge value), and a
    MatMul of two activations (spiked times its transpose), which has no weights."""
    rng = np.random.default_rng(0)
    spike = np.zeros((ROWS, WIDTH), dtype=np.float32)
    spike[3, 5] = 1000.0
    initializers = [
        numpy_helper.from_array(rng.normal(size=(WIDTH, WIDTH)).astype(np.float32), "w_plain"),
        numpy_helper.from_array(rng.normal(size=(WIDTH, WIDTH)).astype(np.float32), "w_spiked"),
        numpy_helper.from_array(spike, "spike"),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "w_plain"], ["plain"], name="plain"),
        helper.make_node("Add", ["x", "spike"], ["x_spiked"], name="add"),
        helper.make_node("MatMul", ["x_spiked", "w_spiked"], ["spiked"], name="spiked"),
        helper.make_node("Transpose", ["spiked"], ["spiked_t"], name="transpose"),
        helper.make_node("MatMul", ["spiked", "spiked_t"], ["gram"], name="activations"),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [ROWS, WIDTH])],
        [
            helper.make_tensor_value_info("plain", TensorProto.FLOAT, [ROWS, WIDTH]),
            helper.make_tensor_value_info("gram", TensorProto.FLOAT, [ROWS, ROWS]),
        ],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def feeds(count: int = 3) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(1)
    return [{"x": rng.normal(size=(ROWS, WIDTH)).astype(np.float32)} for _ in range(count)]


def test_the_matmul_whose_input_has_an_outlier_is_chosen(tmp_path: Path) -> None:
    graph = tiny_graph(tmp_path / "tiny.onnx")
    assert outlier_matmuls(graph, feeds(), 1) == ["spiked"]
    # Ranked by spread; the MatMul of two activations is never a candidate.
    assert outlier_matmuls(graph, feeds(), 5) == ["spiked", "plain"]
    assert outlier_matmuls(graph, feeds(), 0) == []


def test_the_chosen_matmul_stays_float32_and_the_others_are_quantised(tmp_path: Path) -> None:
    graph = tiny_graph(tmp_path / "tiny.onnx")
    target = tmp_path / "tiny_int8.onnx"
    _quantise(graph, target, reduce_range=False, keep=["spiked"])
    nodes = {node.name: node.op_type for node in onnx.load(str(target)).graph.node}
    assert nodes["spiked"] == "MatMul"
    assert "plain" not in nodes
    assert "MatMulInteger" in nodes.values()


def test_a_graph_that_cannot_run_is_a_provisioning_error(tmp_path: Path) -> None:
    graph = tiny_graph(tmp_path / "tiny.onnx")
    with pytest.raises(ModelProvisioningError, match="cannot run"):
        outlier_matmuls(graph, [{"x": np.zeros((2, 3), dtype=np.float32)}], 1)
