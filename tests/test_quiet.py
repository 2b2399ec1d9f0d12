"""sweeps.quiet: TensorFlow's start-up notices are held back, everything else on stderr is kept."""

import os

from sweeps.quiet import held_back


def test_notices_are_dropped_and_other_stderr_lines_come_back(capfd):
    with held_back(("oneDNN custom operations are on", "before absl::InitializeLog()")):
        # written to descriptor 2 directly, as TensorFlow's C++ start-up does
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called ...\n")
        os.write(2, b"I0000 port.cc:153] oneDNN custom operations are on. You may see ...\n")
        os.write(2, b"a real problem\n")
    err = capfd.readouterr().err
    assert err == "a real problem\n"


def test_lines_come_back_even_when_the_block_raises(capfd):
    try:
        with held_back(("notice",)):
            os.write(2, b"notice\nwhy it failed\n")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert capfd.readouterr().err == "why it failed\n"
