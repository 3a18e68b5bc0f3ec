import ast
import glob
import os
import unittest

from tests import TRAINING

# The order of model-repository/tiny/README.md's module table: each module may import only modules before it.
LAYERS = ["hparams", "tokenizer", "scenes", "tasks", "robust", "data", "models", "weights", "model_config_pb2", "export",
          "import_onnx", "train", "benchmark_sets", "slice_eval"]


def sibling_imports():
    """module -> (modules of this folder it imports at top level, ones it imports inside a function or class)."""
    paths = glob.glob(os.path.join(TRAINING, "*.py"))
    names = {os.path.basename(p)[:-3] for p in paths}
    graph = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        top, late = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found = {node.module.split(".")[0]}
            else:
                continue
            (top if node in tree.body else late).update(found & names)
        graph[os.path.basename(path)[:-3]] = (top, late)
    return graph


class ImportLayeringTests(unittest.TestCase):
    def test_no_module_imports_a_sibling_late(self):
        for module, (_, late) in sibling_imports().items():
            self.assertEqual(late, set(), f"{module} imports {late} inside a function")

    def test_each_module_imports_only_the_layers_before_it(self):  # so no import circle can form
        graph = {m: top for m, (top, _) in sibling_imports().items()}
        self.assertEqual(sorted(graph), sorted(LAYERS))
        for i, module in enumerate(LAYERS):
            self.assertLessEqual(graph[module], set(LAYERS[:i]), module)

    def test_nothing_imports_the_command_line(self):
        graph = {m: top for m, (top, _) in sibling_imports().items()}
        self.assertIn("export", graph["train"])
        self.assertEqual([m for m, deps in graph.items() if "train" in deps], [])
        self.assertEqual(graph["hparams"], set())


if __name__ == "__main__":
    unittest.main()
