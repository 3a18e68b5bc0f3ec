import glob
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from google.protobuf import descriptor_pb2, text_format

import export
import model_config_pb2 as pb
from tests import REPO_ROOT, TINY_REPO

PROTO_DIR = os.path.join(REPO_ROOT, "inference-client", "src", "main", "proto")


class ExportedConfigTests(unittest.TestCase):
    """export.py writes config.pbtxt through text_format; what it writes must parse, with the messages
    cpu-inference-server's ModelConfigParser uses, into exactly what the committed configs parse into."""

    def test_reexported_configs_parse_into_the_committed_messages(self):
        committed = sorted(os.path.basename(os.path.dirname(p))
                           for p in glob.glob(os.path.join(TINY_REPO, "*", "config.pbtxt")))
        self.assertEqual(sorted(export.model_configs()), committed)
        with tempfile.TemporaryDirectory() as tmp:
            export.write_configs(tmp)
            for name in committed:
                with self.subTest(model=name):
                    ours = export.read_config(os.path.join(tmp, name, "config.pbtxt"))
                    theirs = export.read_config(os.path.join(TINY_REPO, name, "config.pbtxt"))
                    self.assertEqual(text_format.MessageToString(ours, as_utf8=True),
                                     text_format.MessageToString(theirs, as_utf8=True))
                    self.assertEqual(ours, theirs)

    def test_escapes_and_chinese_text_survive_the_text_format(self):
        with tempfile.TemporaryDirectory() as tmp:
            export.write_configs(tmp)
            with open(os.path.join(tmp, "llm", "config.pbtxt"), encoding="utf-8") as f:
                text = f.read()
            params = export.read_config(os.path.join(tmp, "llm", "config.pbtxt")).parameters
        self.assertIn("根据给定标题", text)  # written as UTF-8, not octal escapes
        self.assertEqual(params["chat_template.user_suffix"].string_value, "\n<eoh>")
        self.assertEqual(params["stop_strings"].string_value, '["<eoa>", "</s>"]')
        self.assertEqual(params["composition.caption_answer_prefix"].string_value, '标题是"')


def without_json_names(message: descriptor_pb2.DescriptorProto) -> None:
    # --descriptor_set_out fills in json_name; the Python generator leaves it out of the module's descriptor.
    for field in message.field:
        field.ClearField("json_name")
    for nested in message.nested_type:
        without_json_names(nested)


def maven_protoc():
    found = sorted(glob.glob(os.path.expanduser(
        "~/.m2/repository/com/google/protobuf/protoc/*/protoc-*-linux-x86_64.exe")))
    return found[-1] if found else None


class GeneratedMessagesTests(unittest.TestCase):
    def test_model_config_pb2_is_generated_from_the_current_proto(self):
        protoc = maven_protoc()
        if protoc is None:
            self.skipTest("no protoc in ~/.m2 (Maven downloads it with the inference-client build)")
        with tempfile.TemporaryDirectory() as tmp:
            runnable = os.path.join(tmp, "protoc")
            shutil.copy(protoc, runnable)  # the Maven copy is not executable
            os.chmod(runnable, stat.S_IRWXU)
            out = os.path.join(tmp, "model_config.desc")
            subprocess.run([runnable, "-I", PROTO_DIR, f"--descriptor_set_out={out}", "model_config.proto"],
                           check=True, timeout=60)
            with open(out, "rb") as f:
                (current,) = descriptor_pb2.FileDescriptorSet.FromString(f.read()).file
        for message in current.message_type:
            without_json_names(message)
        self.assertEqual(descriptor_pb2.FileDescriptorProto.FromString(pb.DESCRIPTOR.serialized_pb), current)


if __name__ == "__main__":
    unittest.main()
