"""The kernel helpers of ``grader.sandbox.isolation`` that the zygote's fast path relies on."""

import os

import pytest

from grader.sandbox import isolation


def test_parent_gone_is_false_while_the_reader_is_open_and_true_after():
    r, w = os.pipe()
    try:
        assert not isolation.parent_gone(w)
        os.close(r)
        assert isolation.parent_gone(w)
    finally:
        os.close(w)


@pytest.mark.skipif(os.geteuid() != 0, reason="a PID namespace without a user namespace needs root")
def test_every_forked_child_is_pid_1_of_a_fresh_namespace_and_the_parent_keeps_its_own():
    """All three children stay alive until each namespace has been read.

    The kernel recycles a freed namespace's inode number, so children checked one after another
    may legitimately report the same ``pid:[...]`` id; only live namespaces must be distinct.
    """
    own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    before = os.readlink("/proc/self/ns/pid_for_children")
    children = []  # (pid, go_w) of children waiting for the parent's go
    try:
        namespaces = set()
        for _ in range(3):
            report_r, report_w = os.pipe()
            go_r, go_w = os.pipe()
            pid = isolation.fork_into_new_pid_namespace(own)
            if pid == 0:
                try:
                    os.close(go_w)
                    for _, sibling_go_w in children:  # else a sibling's EOF would wait for us
                        os.close(sibling_go_w)
                    os.write(report_w, f"{os.getpid()} {os.getppid()}".encode())
                    os.read(go_r, 1)  # stay alive until the parent has looked at every namespace
                finally:
                    os._exit(0)
            children.append((pid, go_w))
            os.close(report_w)
            os.close(go_r)
            assert os.read(report_r, 100).decode() == "1 0"
            os.close(report_r)
            namespaces.add(os.readlink(f"/proc/{pid}/ns/pid"))
            assert os.readlink("/proc/self/ns/pid_for_children") == before
        assert len(namespaces) == 3 and before not in namespaces
    finally:
        for _, go_w in children:
            os.close(go_w)
        for pid, _ in children:
            assert os.waitpid(pid, 0)[1] == 0
        os.close(own)
