"""The official Jupyter kernel conformance tests (jupyter_kernel_test) on mg's kernel.

Run by tests/jupyter/run.sh, which installs the kernel under a private
JUPYTER_DATA_DIR first. Every message the kernel sends is checked against the
message spec's schemas; the samples below are mg.
"""

import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel


class MgKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "mg"
    language_name = "mg"
    file_extension = ".mg"

    code_hello_world = 'print "hello, world"'

    # Skipped: mg writes nothing to stderr (errors are Jupyter errors, and no
    # statement prints to stderr), sends no pager payloads (:help prints its text)
    # and never clears output, so test_execute_stderr, test_pager and
    # test_clear_output have no samples.

    completion_samples = [
        {"text": "ta", "matches": {"tanh"}},
        {"text": "x.gr", "matches": {"grad"}},
        {"text": "zero_", "matches": {"zero_grad"}},
        {"text": ":he", "matches": {":help"}},
    ]

    complete_code_samples = [
        "a = 2",
        "grad L",
        "fn f(x) {\n  return x * 2\n}",
        ":help grad",
        "",
    ]
    incomplete_code_samples = [
        "for k in 0..3 {",
        "xs = [1, 2,",
        "fn f(x) {\n  y = x * 2",
        'print "open',
    ]
    invalid_code_samples = ["a = (1))", "1 +* 2", "a = 2 +"]

    code_generate_error = "L = nowhere * 2"

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "a = 2.0\nb = -3.0\na * b", "result": "Value(data=-6, grad=0, op=*)"},
        {"code": '"text"', "result": "text"},
    ]

    code_display_data = [
        {"code": "a = 2; b = -3; L = a * b; grad L", "mime": "text/html"},
        {"code": "a = 2; b = -3; L = a * b; check L", "mime": "text/html"},
        {"code": "a = 2; b = -3; L = a * b; dot L", "mime": "image/svg+xml"},
        {"code": "plot tanh from -3 to 3", "mime": "image/svg+xml"},
    ]

    code_history_pattern = "1 + ?"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "tanh"


class MgIopubWelcomeTests(jupyter_kernel_test.IopubWelcomeTests):
    kernel_name = "mg"
    support_iopub_welcome = True


class MgKernelLifeTests(unittest.TestCase):
    """What the conformance suite leaves out: state across cells, interrupt, restart."""

    def setUp(self):
        self.km, self.kc = start_new_kernel(kernel_name="mg")

    def tearDown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel()

    def run_cell(self, code, timeout=30):
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
        return reply["content"]

    def test_interrupt_stops_a_cell_and_the_kernel_lives_on(self):
        self.assertEqual(self.run_cell("k = 0")["status"], "ok")
        msg_id = self.kc.execute('print "looping"\nwhile true { k += 1 }')
        # Interrupt once the cell runs (its first output is there).
        while True:
            msg = self.kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                break
        self.km.interrupt_kernel()  # interrupt_mode "message": an interrupt_request
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        after = self.run_cell("assert k == 0")
        self.assertEqual(after["status"], "ok", "the interrupted loop is undone")

    def test_restart_gives_a_fresh_session(self):
        self.assertEqual(self.run_cell("kept = 1")["status"], "ok")
        self.assertEqual(self.run_cell("kept")["status"], "ok")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=30)
        after = self.run_cell("kept")
        self.assertEqual(after["status"], "error")
        self.assertIn("unknown name 'kept'", after["evalue"])


if __name__ == "__main__":
    unittest.main()
