"""gpu-check/gpu_check.py cannot run at full size here; its --tiny mode runs the same code on CPU."""

import contextlib
import importlib.util
import io
import json
import pathlib
import unittest

from xcomposer7b.vision import VisionConfig

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "gpu-check" / "gpu_check.py"


class GpuCheckSmokeTest(unittest.TestCase):
    def test_tiny_run_reports_every_figure(self):
        spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(module.main(["--tiny"]), 0)
        report = json.loads(out.getvalue())
        for batch in (1, 16):
            self.assertGreater(report[f"prefill_tokens_per_s.batch{batch}"], 0)
            self.assertGreater(report[f"decode_tokens_per_s.batch{batch}"], 0)
        for batch in (1, 8, 32):
            self.assertEqual(report[f"image_embeds_shape.batch{batch}"], [batch, 66, VisionConfig.tiny().llm_hidden])
            self.assertGreater(report[f"image_encode_ms.batch{batch}"], 0)
        self.assertIn("vllm", report)
        self.assertIn("tritonserver", report)


if __name__ == "__main__":
    unittest.main()
