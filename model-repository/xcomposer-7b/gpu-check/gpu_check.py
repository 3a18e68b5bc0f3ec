"""Full-size check on one GPU with random weights (no download): builds the InternLM-7B decoder and 7bvision's
vision encoder at their real sizes in fp16, then prints GPU memory, image-encode latency at batch 1/8/32, and
prefill / decode tokens per second of the torch engine's model at batch 1 and 16. Reports whether vLLM and
tritonserver exist on the machine. ``--tiny`` runs the same code at the scaled-down configs on CPU (a smoke test).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import pathlib
import shutil
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from xcomposer7b.internlm import InternLMConfig, InternLMForCausalLM  # noqa: E402
from xcomposer7b.vision import VisionConfig, VisionEncoder  # noqa: E402


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(device, fn, repeats: int) -> float:
    fn()  # warm-up
    sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    sync(device)
    return (time.perf_counter() - start) / repeats


def memory(device, label: str, report: dict) -> None:
    if device.type == "cuda":
        report[f"gpu_memory_gib.{label}"] = round(torch.cuda.memory_allocated(device) / 2**30, 2)
        report[f"gpu_peak_gib.{label}"] = round(torch.cuda.max_memory_allocated(device) / 2**30, 2)


def random_init(module: torch.nn.Module) -> torch.nn.Module:
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.normal_(0.0, 0.02)
    return module


def vision_check(device, dtype, tiny: bool, report: dict, repeats: int) -> None:
    config = VisionConfig.tiny() if tiny else VisionConfig.full()
    encoder = random_init(VisionEncoder(config)).to(device=device, dtype=dtype).eval()
    memory(device, "vision_loaded", report)
    for batch in (1, 8, 32):
        pixels = torch.randn(batch, 3, config.image_size, config.image_size, device=device, dtype=dtype)
        with torch.inference_mode():
            seconds = timed(device, lambda: encoder(pixels), repeats)
            shape = list(encoder(pixels).shape)
        report[f"image_encode_ms.batch{batch}"] = round(seconds * 1000, 2)
        report[f"image_embeds_shape.batch{batch}"] = shape
    del encoder


def decoder_check(device, dtype, tiny: bool, report: dict, prompt: int, steps: int) -> None:
    config = InternLMConfig.tiny() if tiny else InternLMConfig.full()
    # torch >= 2 builds straight on the GPU (no 28 GB fp32 copy in host memory); torch 1.13 builds on the host.
    builder = device if hasattr(torch.device, "__enter__") else contextlib.nullcontext()
    with builder:
        model = InternLMForCausalLM(config)
    model = random_init(model.to(device=device, dtype=dtype)).eval()
    memory(device, "decoder_loaded", report)
    for batch in (1, 16):
        embeds = torch.randn(batch, prompt, config.hidden_size, device=device, dtype=dtype) * 0.02
        with torch.inference_mode():
            prefill = timed(device, lambda: model(embeds), 2)
            _, cache = model(embeds)
            token = torch.randn(batch, 1, config.hidden_size, device=device, dtype=dtype) * 0.02

            def decode():
                nonlocal cache
                past = cache
                for _ in range(steps):
                    _, past = model(token, past)

            seconds = timed(device, decode, 1)
        report[f"prefill_tokens_per_s.batch{batch}"] = round(batch * prompt / prefill, 1)
        report[f"decode_tokens_per_s.batch{batch}"] = round(batch * steps / seconds, 1)
        memory(device, f"after_batch{batch}", report)


def environment(report: dict) -> None:
    try:
        import vllm

        report["vllm"] = getattr(vllm, "__version__", "importable")
    except ImportError:
        report["vllm"] = "not importable"
    report["tritonserver"] = shutil.which("tritonserver") or "not on PATH"
    report["torch"] = torch.__version__
    if torch.cuda.is_available():
        report["gpu"] = torch.cuda.get_device_name(0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="scaled-down configs on CPU (smoke test)")
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--decode-steps", type=int, default=64)
    args = parser.parse_args(argv)
    if args.tiny:
        device, dtype, prompt, steps, repeats = torch.device("cpu"), torch.float32, 16, 4, 1
    else:
        if not torch.cuda.is_available():
            print("no CUDA device: run with --tiny for the CPU smoke test", file=sys.stderr)
            return 2
        device, dtype, prompt, steps, repeats = torch.device("cuda:0"), torch.float16, args.prompt_tokens, args.decode_steps, 5
    report: dict = {"mode": "tiny-cpu" if args.tiny else "full-gpu-random-weights"}
    environment(report)
    vision_check(device, dtype, args.tiny, report, repeats)
    if device.type == "cuda":
        torch.cuda.empty_cache()
    decoder_check(device, dtype, args.tiny, report, prompt, steps)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
