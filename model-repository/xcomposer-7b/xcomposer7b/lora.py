"""The released checkpoint's LoRA (not merged): W += B·A · alpha/r on q_proj, v_proj, mlp.up_proj, mlp.down_proj.

Tensor names as in pytorch_model.bin.index.json: ``<linear>.lora_A.weight`` [r, in] and ``<linear>.lora_B.weight``
[out, r] next to ``<linear>.weight``. The seed computes the LoRA branch in fp32 and adds it to the base output; the
merge does the sum in fp32 as well and stores the result in the base weight's dtype.
"""

from __future__ import annotations

import torch
from torch import nn

LORA_A = ".lora_A.weight"
LORA_B = ".lora_B.weight"


def lora_modules(state: dict[str, torch.Tensor], with_base: bool = True) -> list[str]:
    """Names of the linears that carry a LoRA pair (without the ``.weight`` suffix), sorted."""
    modules = sorted(name[: -len(LORA_A)] for name in state if name.endswith(LORA_A))
    for module in modules:
        for needed in (module + LORA_B, module + ".weight") if with_base else (module + LORA_B,):
            if needed not in state:
                raise ValueError(f"LoRA of {module}: {needed} is missing from the checkpoint")
    unpaired = [n for n in state if n.endswith(LORA_B) and n[: -len(LORA_B)] not in modules]
    if unpaired:
        raise ValueError(f"lora_B without lora_A: {unpaired[:3]}")
    return modules


def merge_lora(state: dict[str, torch.Tensor], scale: float) -> dict[str, torch.Tensor]:
    """A new state dict with every LoRA pair folded into its base weight and the lora tensors removed."""
    merged = {n: t for n, t in state.items() if not (n.endswith(LORA_A) or n.endswith(LORA_B))}
    for module in lora_modules(state):
        base = state[module + ".weight"]
        a, b = state[module + LORA_A].float(), state[module + LORA_B].float()
        if a.shape[1] != base.shape[1] or b.shape[0] != base.shape[0] or a.shape[0] != b.shape[1]:
            raise ValueError(f"LoRA of {module}: A {tuple(a.shape)} / B {tuple(b.shape)} do not fit W {tuple(base.shape)}")
        merged[module + ".weight"] = (base.float() + (b @ a) * scale).to(base.dtype)
    return merged


class LoRALinear(nn.Module):
    """The unmerged form (base output + fp32 LoRA branch), kept for checking the merge against it."""

    def __init__(self, base: nn.Linear, a: torch.Tensor, b: torch.Tensor, scale: float) -> None:
        super().__init__()
        self.base = base
        self.register_buffer("lora_a", a.float())
        self.register_buffer("lora_b", b.float())
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch = (x.float() @ self.lora_a.t() @ self.lora_b.t()) * self.scale
        return (self.base(x).float() + branch).to(x.dtype)


def attach_lora(model: nn.Module, state: dict[str, torch.Tensor], scale: float) -> None:
    """Replace each LoRA-carrying linear of ``model`` (names as in ``state``) by its unmerged LoRALinear."""
    for module in lora_modules(state, with_base=False):
        parent_name, _, child = module.rpartition(".")
        parent = model.get_submodule(parent_name)
        base = getattr(parent, child)
        setattr(parent, child, LoRALinear(base, state[module + LORA_A], state[module + LORA_B], scale))
