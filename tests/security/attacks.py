# ruff: noqa: E501 - the corpus holds submissions as source strings
"""The hostile-submission corpus: one entry per attack, with the statuses it may end in.

Every submission defines ``f(x)``; the honest answer is ``x * 2``. Placeholders are filled in
by the test: @PORT@ (a TCP listener of the test on 127.0.0.1), @UNIX@ (a unix-socket listener),
@HOSTDIR@ (a world-writable directory on the host), @PROJECT@ (this repository), @SITE@ (the venv's
site-packages), @EXPECTED@ (a host file holding the expected output).
"""

from __future__ import annotations

from dataclasses import dataclass

OK, TIMEOUT, MEMORY, OUTPUT = "ok", "timeout", "memory_limit", "output_limit"
CRASHED, PROTOCOL, IMPORT = "crashed", "protocol_error", "import_error"
MISSING = "missing_entry"

# Where an attack runs (``tests.security.containment.run_attack``); what it must not achieve
# there is checked besides its status ("exposed"):
ALONE = "alone"  # f(X) on its own
AFTER = "after a victim"  # right after another student's run in the same zygote: finds none of it
HIDDEN = "with a hidden case"  # f(X) visible, then f(H) hidden: nothing the student sees holds H
BESIDE = "in another worker"  # while this worker grades honest threaded work, which must pass
THEN_BIG = "before a big run"  # the honest run after it uses 400 of its 512 MB, and must pass


@dataclass(frozen=True)
class Attack:
    name: str
    source: str
    statuses: frozenset[str]
    short: bool = True  # runs with cpu 1 s, wall 2 s
    setting: str = ALONE

    def render(self, **values: str) -> str:
        text = self.source
        for key, value in values.items():
            text = text.replace(key, value)
        return text


def A(
    name: str,
    body: str,
    *statuses: str,
    module: str = "",
    short: bool = True,
    setting: str = ALONE,
) -> Attack:
    source = "import os, sys, time, ctypes, signal\nimport numpy as np\n" + module
    source += "\ndef f(x):\n" + "\n".join("    " + line for line in body.strip("\n").splitlines())
    return Attack(name, source + "\n", frozenset(statuses), short, setting)


LIBC = "libc = ctypes.CDLL(None, use_errno=True)"
SYSCALL = LIBC + "\nlibc.syscall.restype = ctypes.c_long"
SHELLCODE_I386_SOCKET = (
    # mov eax, 359 (i386 socket); mov ebx, 2; mov ecx, 1; xor edx, edx; int 0x80; ret
    "b867010000bb02000000b90100000031d2cd80c3"
)

ATTACKS = [
    A("infinite loop", "while True:\n    pass", TIMEOUT),
    A(
        "loop ignoring SIGTERM and SIGXCPU",
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\n"
        "while True:\n    pass",
        TIMEOUT,
    ),
    A("sleep for an hour", "time.sleep(3600)", TIMEOUT),
    A("close every fd then sleep", "os.closerange(0, 64)\ntime.sleep(3600)", TIMEOUT),
    A("allocate 10 GB", "return np.ones(10 * 2**30 // 8)", MEMORY),
    A(
        "touch 768 MB in chunks",
        "keep = []\nfor _ in range(48):\n    keep.append(np.ones(2**21))\nreturn x * 2",
        MEMORY,
        short=False,
    ),
    A("fork bomb", "while True:\n    os.fork()", OK, CRASHED),
    A(
        "forked sleepers that try to outlive the run",
        "for _ in range(300):\n    if os.fork() == 0:\n        time.sleep(3600)\nreturn x * 2",
        OK,
        CRASHED,
    ),
    A(
        "thread bomb",
        "import threading\nfor _ in range(5000):\n    threading.Thread(target=time.sleep, args=(3600,)).start()",
        OK,
        MEMORY,
        CRASHED,
    ),
    A(
        "deep recursion with a huge recursion limit",
        "sys.setrecursionlimit(10**9)\ndef r(n):\n    return r(n + 1) + 1\nreturn r(0)",
        CRASHED,
        MEMORY,
        TIMEOUT,
    ),
    A(
        "print 1 GB",
        "chunk = 'x' * 65536\nfor _ in range(16384):\n    sys.stdout.write(chunk)",
        OUTPUT,
    ),
    A(
        "write a 5 GB file",
        "chunk = b'x' * 2**20\nwith open('/tmp/big', 'wb') as fh:\n    for _ in range(5120):\n        fh.write(chunk)",
        OK,
    ),
    A("read /etc/passwd", "return open('/etc/passwd').read()", OK),
    A("read the project settings", "return open('@PROJECT@/config/settings.py').read()", OK),
    A("read the reference source", "return open('@PROJECT@/grader/sandbox/api.py').read()", OK),
    A("read the expected outputs", "return np.load('@EXPECTED@')", OK),
    A("import grader", "import grader\nreturn grader.results", OK),
    A(
        "find the expected output in memory",
        "import gc\nfor o in gc.get_objects():\n    if isinstance(o, np.ndarray) and o.shape == x.shape and not np.array_equal(o, x):\n"
        "        return o\nreturn x",
        OK,
    ),
    A(
        "read the environment",
        "print(dict(os.environ))\nreturn open('/proc/self/environ').read()",
        OK,
    ),
    A(
        "scan /proc/*/environ",
        "import glob\nfor p in glob.glob('/proc/*/environ'):\n    print(open(p, 'rb').read())\nreturn len(glob.glob('/proc/*'))",
        OK,
    ),
    A(
        "TCP to Redis",
        "import socket\nsocket.create_connection(('127.0.0.1', 6379), timeout=1)",
        CRASHED,
    ),
    A(
        "TCP to PostgreSQL",
        "import socket\nsocket.create_connection(('127.0.0.1', 5432), timeout=1)",
        CRASHED,
    ),
    A(
        "TCP to the test's listener",
        "import socket\nsocket.create_connection(('127.0.0.1', @PORT@), timeout=1)",
        CRASHED,
    ),
    A(
        "host unix socket",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('@UNIX@')",
        CRASHED,
    ),
    A("raw socket syscall through ctypes", LIBC + "\nreturn libc.syscall(41, 2, 1, 0)", CRASHED),
    A(
        "32-bit int 0x80 socket",
        "import mmap\ncode = bytes.fromhex('" + SHELLCODE_I386_SOCKET + "')\n"
        "m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\nm.write(code)\n"
        "addr = ctypes.addressof(ctypes.c_char.from_buffer(m))\nreturn ctypes.CFUNCTYPE(ctypes.c_int)(addr)()",
        CRASHED,
    ),
    A(
        "subprocess of a shell",
        "import subprocess\nsubprocess.run(['/bin/sh', '-c', 'touch @HOSTDIR@/sh'])",
        OK,
        CRASHED,
    ),
    A("exec a shell", "os.execv('/bin/sh', ['sh', '-c', 'touch @HOSTDIR@/exec'])", CRASHED),
    A("unshare a user namespace", LIBC + "\nreturn libc.unshare(0x10000000)", CRASHED),
    A("kill the parent", "os.kill(os.getppid(), 9)\nreturn x * 2", OK, CRASHED),
    A("kill every process", "os.kill(-1, 9)\nreturn x * 2", OK, CRASHED),
    A("ptrace the parent", LIBC + "\nreturn libc.ptrace(0x4206, os.getppid(), 0, 0)", CRASHED),
    A("read the parent's memory", "return open(f'/proc/{os.getppid()}/mem', 'rb').read(16)", OK),
    A("process_vm_readv", LIBC + "\nreturn libc.syscall(310, 1, 0, 0, 0, 0, 0)", CRASHED),
    A(
        "write outside /tmp",
        "for p in ('@HOSTDIR@/pwned', '/pwned', '/usr/pwned', '@SITE@/pwned'):\n    try:\n"
        "        open(p, 'w').write('x')\n    except OSError as e:\n        print(e)\nreturn x * 2",
        OK,
    ),
    A(
        "plant sitecustomize.py",
        "open('@SITE@/sitecustomize.py', 'w').write('import os')\nreturn x * 2",
        OK,
    ),
    A(
        "monkeypatch numpy to fool a checker",
        "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
        "np.array_equal = lambda *a, **k: True\nreturn x * 3",
        OK,
    ),
    Attack(
        "sys.exit(0) at import",
        "import sys\nsys.exit(0)\ndef f(x):\n    return x * 2\n",
        frozenset({IMPORT}),
    ),
    A("sys.exit(0) in the function", "sys.exit(0)", OK),
    A("os._exit(0) before the tests", "os._exit(0)", CRASHED),
    A(
        "forge result frames on every fd",
        "import json, struct, io\nbuf = io.BytesIO()\nnp.save(buf, x * 0)\nblob = buf.getvalue()\n"
        "def msg(h, blobs=()):\n    h = dict(h, n=len(blobs))\n    raw = json.dumps(h).encode()\n"
        "    return struct.pack('<I', len(raw)) + raw + b''.join(struct.pack('<Q', len(b)) + b for b in blobs)\n"
        "fake = msg({'event': 'call', 'i': 0, 'ok': True, 'seconds': 0, 'value': {'$nd': 0}}, [blob])\n"
        "fake += msg({'event': 'done'})\nfor fd in range(3, 64):\n    try:\n        os.write(fd, fake)\n"
        "    except OSError:\n        pass\nos._exit(0)",
        OK,
        PROTOCOL,
        CRASHED,
    ),
    A(
        "forge a pickled object array frame",
        "import json, struct\nblob = b'\\x93NUMPY\\x01\\x00v\\x00' + b\"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\".ljust(117) + b'\\n'\n"
        "blob += b'\\x80\\x04\\x95\\x00cos\\nsystem\\n'\n"
        "h = json.dumps({'event': 'call', 'i': 0, 'ok': True, 'seconds': 0, 'value': {'$nd': 0}, 'n': 1}).encode()\n"
        "os.write(3, struct.pack('<I', len(h)) + h + struct.pack('<Q', len(blob)) + blob)\nos._exit(0)",
        PROTOCOL,
    ),
    A("return a pickled object array", "return np.array([1, 'a', None], dtype=object)", OK),
    A("return an ndarray subclass", "return np.ma.masked_array(x * 2)", OK),
    A("return a matrix", "return np.asmatrix(x * 2)", OK),
    A(
        "flood the result channel with 200 MB",
        "chunk = b'x' * 2**20\nfor _ in range(200):\n    os.write(3, chunk)",
        OUTPUT,
        PROTOCOL,
    ),
    A("read stdin", "print(os.read(0, 100))\nreturn sys.stdin.read()", OK),
    # Core dumps and the host's identity: each prints ESCAPED when the protection is missing.
    A(
        "make the process dumpable again",
        LIBC + "\nif libc.prctl(4, 1, 0, 0, 0) == 0:\n    print('ESCAPED dumpable')\nreturn x * 2",
        OK,
    ),
    A(
        "a core limit a pipe core_pattern ignores",
        "import resource\nlimit = resource.getrlimit(resource.RLIMIT_CORE)\nif limit != (1, 1):\n"
        "    print('ESCAPED core limit', limit)\nreturn x * 2",
        OK,
    ),
    A(
        "dump core after making the process dumpable",
        LIBC
        + "\nif libc.prctl(4, 1, 0, 0, 0) == 0:\n    print('ESCAPED dumpable', flush=True)\nos.abort()",
        CRASHED,
    ),
    # The inputs before the module is imported: none must exist in the child yet.
    A(
        "frame walk at import for the inputs",
        "return x * 2",
        OK,
        module="frame = sys._getframe()\nwhile frame is not None:\n    for value in list(frame.f_locals.values()):\n"
        "        if 'ndarray' in repr(type(value)) or (isinstance(value, (list, dict)) and 'array(' in repr(value)[:100000]):\n"
        "            print('ESCAPED inputs in', frame.f_code.co_name)\n    frame = frame.f_back\n",
    ),
    A(
        "gc scan at import for the inputs",
        "return x * 2",
        OK,
        module="import gc\nfor o in gc.get_objects():\n    items = o.values() if isinstance(o, dict) else o if isinstance(o, (list, tuple)) else ()\n"
        "    for v in list(items):\n        if isinstance(v, np.ndarray) and v.shape == (2, 3) and v.dtype == float:\n"
        "            print('ESCAPED an input at import')\n",
    ),
    Attack(
        "raise the inputs out of the import",
        "import gc, sys\nimport numpy as np\nfound = []\nframe = sys._getframe()\nwhile frame is not None:\n"
        "    found += [repr(v) for v in frame.f_locals.values() if isinstance(v, list) and 'array' in repr(v)]\n"
        "    frame = frame.f_back\nif found:\n    raise ValueError('ESCAPED ' + ' '.join(found))\n"
        "def f(x):\n    return x * 2\n",
        frozenset({OK}),
    ),
    A(
        "read the host's name",
        "name = os.uname().nodename\nif name != 'sandbox':\n    print('ESCAPED hostname', name)\nreturn x * 2",
        OK,
    ),
    # Host-wide kernel quotas, watches on the shared tree, per-uid budgets and rarely used kernel
    # interfaces (x86_64 numbers). Each prints ESCAPED when the call succeeds; a refused call
    # (EPERM) leaves an honest run, a killed process a crash.
    A(
        "reserve the host-wide AIO contexts (fs.aio-max-nr)",
        SYSCALL
        + "\nn = 0\nfor _ in range(64):\n    ctx = ctypes.c_ulong(0)\n    if libc.syscall(206, 1024, ctypes.byref(ctx)) != 0:\n"
        "        break\n    n += 1\nif n:\n    print('ESCAPED io_setup', n)\nreturn x * 2",
        OK,
    ),
    A(
        "inotify watch on the read-only tree",
        LIBC
        + "\nfd = libc.inotify_init1(0)\nif fd >= 0 and libc.inotify_add_watch(fd, os.path.dirname(np.__file__).encode(), 0xFFF) >= 0:\n"
        "    print('ESCAPED inotify')\nreturn x * 2",
        OK,
    ),
    A(
        "fanotify watch on the read-only tree",
        SYSCALL
        + "\nfd = libc.syscall(300, 0x200, 0)\n"  # FAN_CLASS_NOTIF | FAN_REPORT_FID: allowed without privileges
        "if fd >= 0 and libc.syscall(301, fd, 1, ctypes.c_uint64(0x21), -100, np.__file__.encode()) == 0:\n"
        "    print('ESCAPED fanotify')\nreturn x * 2",
        OK,
    ),
    A(
        "memfd_secret: memory hidden from the host",
        SYSCALL
        + "\nif libc.syscall(447, 0) >= 0:\n    print('ESCAPED memfd_secret')\nreturn x * 2",
        OK,
    ),
    A(
        "create a POSIX message queue (per-uid RLIMIT_MSGQUEUE)",
        LIBC
        + "\nif libc.mq_open(b'/stride', os.O_CREAT | os.O_RDWR, 0o600, None) >= 0:\n    print('ESCAPED mq_open')\nreturn x * 2",
        OK,
    ),
    A(
        "sigqueue 2000 real-time signals (per-uid RLIMIT_SIGPENDING)",
        SYSCALL
        + "\nsignal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGRTMIN])\ninfo = (ctypes.c_int * 32)(signal.SIGRTMIN, 0, -1)\n"
        "n = sum(libc.syscall(129, os.getpid(), signal.SIGRTMIN, info) == 0 for _ in range(2000))\n"
        "if n:\n    print('ESCAPED rt_sigqueueinfo', n)\nreturn x * 2",
        OK,
    ),
    A(
        "kill itself with 2000 queued real-time signals (per-uid RLIMIT_SIGPENDING)",
        "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGRTMIN])\nfor _ in range(2000):\n    os.kill(os.getpid(), signal.SIGRTMIN)\n"
        "n = 0\nwhile signal.sigtimedwait([signal.SIGRTMIN], 0) is not None:\n    n += 1\n"
        "if n > 64:\n    print('ESCAPED queued signals', n)\nreturn x * 2",
        OK,
    ),
    A(
        "create 2000 POSIX timers (each pins a pending signal of the uid)",
        LIBC
        + "\nt = ctypes.c_long()\nn = sum(libc.timer_create(0, None, ctypes.byref(t)) == 0 for _ in range(2000))\n"
        "if n:\n    print('ESCAPED timer_create', n)\nreturn x * 2",
        OK,
    ),
    A(
        "flush every filesystem of the host (sync)",
        SYSCALL + "\nif libc.syscall(162) == 0:\n    print('ESCAPED sync')\nreturn x * 2",
        OK,
    ),
    A(
        "write a local descriptor table (modify_ldt)",
        SYSCALL
        + "\ndesc = (ctypes.c_uint32 * 4)(0, 0, 0xFFFFF, 0x51)\nif libc.syscall(154, 1, desc, 16) == 0:\n    print('ESCAPED modify_ldt')\nreturn x * 2",
        OK,
    ),
    A(
        "splice user pages into a pipe (vmsplice)",
        SYSCALL
        + "\nr, w = os.pipe()\nbuf = ctypes.create_string_buffer(b'x' * 4096)\niov = (ctypes.c_void_p * 2)(ctypes.addressof(buf), 4096)\n"
        "if libc.syscall(278, w, iov, 1, 0) > 0:\n    print('ESCAPED vmsplice')\nreturn x * 2",
        OK,
    ),
    # Already refused on 2119725 (the process is killed); kept so that the allowlist keeps them so.
    A(
        "io_uring_setup",
        SYSCALL
        + "\nparams = ctypes.create_string_buffer(120)\nreturn libc.syscall(425, 8, params)",
        CRASHED,
    ),
    A("userfaultfd", SYSCALL + "\nreturn libc.syscall(323, 0)", CRASHED),
    A(
        "perf_event_open on itself",
        SYSCALL
        + "\nattr = (ctypes.c_uint32 * 32)(1, 128)\nreturn libc.syscall(298, attr, 0, -1, -1, 0)",
        CRASHED,
    ),
    A("keyctl: join a session keyring", SYSCALL + "\nreturn libc.syscall(250, 1, None)", CRASHED),
    A(
        "add_key to the user keyring",
        SYSCALL + "\nreturn libc.syscall(248, b'user', b'stride', b'secret', 6, -4)",
        CRASHED,
    ),
    A(
        "bpf: create a map",
        SYSCALL
        + "\nattr = (ctypes.c_uint32 * 32)(2, 4, 4, 16)\nreturn libc.syscall(321, 0, attr, 128)",
        CRASHED,
    ),
]

# ---------------------------------------------------------------------------- between students
# Each class of leak between students, written to fail on the sandbox before the isolation
# between runs (01dcf25) and to pass now: what a run could learn of another student's run, of a
# hidden case's input, or spend of what another worker needs.

# Finds an input array other than the call's own (the hidden case's input starts with 31337.25,
# the visible one with 0): through the frames up the stack, or every container the collector
# knows.
FIND = """
import gc

def _find(v, d=0):
    if isinstance(v, np.ndarray) and v.size and v.dtype.kind == "f" and v.flat[0] > 1000:
        return v
    if d < 8 and isinstance(v, dict) and len(v) < 64:
        v = list(v.values())
    if d < 8 and isinstance(v, (list, tuple)) and len(v) < 64:
        for item in v:
            found = _find(item, d + 1)
            if found is not None:
                return found
    return None

def _in_frames():
    frame = sys._getframe()
    while frame is not None:
        found = _find(list(frame.f_locals.values()))
        if found is not None:
            return found
        frame = frame.f_back
    return None

def _in_gc():
    for o in gc.get_objects():
        found = _find(o)
        if found is not None:
            return found
    return None
"""
# Writes result frames by hand (the framing of grader.sandbox.protocol).
FORGE = """
import json, struct

def _frame(header, blobs=()):
    raw = json.dumps(dict(header, n=len(blobs))).encode()
    return struct.pack("<I", len(raw)) + raw + b"".join(struct.pack("<Q", len(b)) + b for b in blobs)
"""
HEAD = "import os, sys, time, ctypes, signal\nimport numpy as np\n"
# Another worker's run that takes every thread its limits allow, and for 3 s takes again any
# that another process of the same uid frees.
STARVER = """
import threading, time

def f(x):
    threading.stack_size(1 << 16)  # small stacks: the address-space limit is not what stops it
    end = time.monotonic() + 3
    while time.monotonic() < end:
        try:
            threading.Thread(target=time.sleep, args=(4,), daemon=True).start()
        except RuntimeError:
            time.sleep(0.001)
    return x * 2
"""
SHM = (
    LIBC
    + "\nlibc.shmat.restype = ctypes.c_void_p\nlibc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]"
)


def _attacks_between_students() -> list[Attack]:
    from tests.security.heap_scan import scanner

    return [
        # The heap the previous run left in the zygote (its source, inputs, output, printed text).
        Attack(
            "scan the previous run's memory with ctypes",
            scanner("ctypes"),
            frozenset({OK}),
            setting=AFTER,
        ),
        Attack(
            "scan the previous run's memory with NumPy alone",
            scanner("numpy only"),
            frozenset({OK}),
            setting=AFTER,
        ),
        A(
            "find the previous run's source among the live objects",
            "needle = bytes([99, 97, 110, 97, 114, 121, 45])\nfor o in gc.get_objects():\n"
            "    for v in list(o.values() if isinstance(o, dict) else o if isinstance(o, (list, tuple)) else ()):\n"
            "        raw = v.encode('utf-8', 'replace') if isinstance(v, str) else v if isinstance(v, bytes) else b''\n"
            "        if needle in raw:\n            return np.frombuffer(raw, np.uint8).copy()\nreturn x * 2",
            OK,
            module="import gc\n",
            setting=AFTER,
        ),
        # A hidden case's input, before its turn, through the visible case's output (its diff
        # map) or error, or after it through the messages, the exit code or the signal.
        A(
            "return a hidden case's input from the visible case (frame walk)",
            "found = None if x.flat[0] > 1000 else _in_frames()\nif found is not None:\n    return found\nreturn x * 2",
            OK,
            module=FIND,
            setting=HIDDEN,
        ),
        A(
            "return a hidden case's input from the visible case (gc)",
            "found = None if x.flat[0] > 1000 else _in_gc()\nif found is not None:\n    return found\nreturn x * 2",
            OK,
            module=FIND,
            setting=HIDDEN,
        ),
        A(
            "show a hidden case's input in the visible case's error",
            "found = None if x.flat[0] > 1000 else _in_frames()\nif found is not None:\n"
            "    raise ValueError(repr(found.tolist()))\nreturn x * 2",
            OK,
            module=FIND,
            setting=HIDDEN,
        ),
        A(
            "spell a hidden case's input in the visible output's shape",
            "found = None if x.flat[0] > 1000 else _in_gc()\nif found is not None:\n    return np.zeros(int(found.flat[0]))\nreturn x * 2",
            OK,
            module=FIND,
            setting=HIDDEN,
        ),
        A(
            "carry its hidden input in an exception's message",
            "raise ValueError('input ' + repr(x.tolist()))",
            OK,
            setting=HIDDEN,
        ),
        A(
            "name an exception class after its hidden input",
            "raise type('Leak' + str(int(x.flat[0])), (Exception,), {})()",
            OK,
            setting=HIDDEN,
        ),
        A(
            "exit with a code taken from its hidden input",
            "if x.flat[0] > 1000:\n    os._exit(int(x.flat[3]))\nreturn x * 2",
            CRASHED,
            setting=HIDDEN,
        ),
        A(
            "crash or not on a bit of its hidden input (the signal's name)",
            "if x.flat[0] > 1000 and x.flat[1] > 1000:\n    ctypes.string_at(0)\nreturn x * 2",
            CRASHED,
            setting=HIDDEN,
        ),
        Attack(
            "name the missing entry's type after the inputs seen at import",
            HEAD + FIND + "found = _in_frames()\nfound = found if found is not None else _in_gc()\n"
            "f = type('Leak' + ('' if found is None else str(int(found.flat[0]))), (), {})()\n",
            frozenset({MISSING}),
            setting=HIDDEN,
        ),
        Attack(
            "raise a hidden input out of the import (gc)",
            HEAD
            + FIND
            + "found = _in_gc()\nif found is not None:\n    raise ValueError(repr(found.tolist()))\n"
            "def f(x):\n    return x * 2\n",
            frozenset({OK}),
            setting=HIDDEN,
        ),
        # Frames the worker must reject, not trip over (it stayed 'running' until the sweeper).
        Attack(
            "forge a first frame whose event is a list",
            HEAD
            + FORGE
            + "os.write(3, _frame({'event': ['loaded']}))\nos._exit(0)\ndef f(x):\n    return x * 2\n",
            frozenset({PROTOCOL}),
        ),
        Attack(
            "forge a first frame whose event is an object",
            HEAD
            + FORGE
            + "os.write(3, _frame({'event': {'loaded': 1}}))\nos._exit(0)\ndef f(x):\n    return x * 2\n",
            frozenset({PROTOCOL}),
        ),
        A(
            "forge a call frame whose seconds has 400 digits",
            "os.write(3, _frame({'event': 'call', 'i': 0, 'ok': False, 'seconds': 10 ** 400, 'error': 'e'}) + _frame({'event': 'done'}))\nos._exit(0)",
            PROTOCOL,
            module=FORGE,
        ),
        A(
            "forge a call frame whose value has 400 digits",
            "os.write(3, _frame({'event': 'call', 'i': 0, 'ok': True, 'seconds': 0, 'value': 10 ** 400}) + _frame({'event': 'done'}))\nos._exit(0)",
            PROTOCOL,
            module=FORGE,
        ),
        A("return a 400-digit integer", "return 10 ** 400", OK),
        # Memory charged to the cgroup after the run ended, that the next run would lack. A
        # SysV segment outlives its process until the IPC namespace is freed, asynchronously:
        # refused now (the full /tmp, the other such memory: test_memory_release).
        A(
            "leave 450 MB of SysV shared memory to the next run",
            SHM
            + "\nshmid = libc.shmget(0, 450 << 20, 0o1600)\nif shmid >= 0:\n    addr = libc.shmat(shmid, None, 0)\n"
            "    ctypes.memset(addr, 1, 450 << 20)\n    print('ESCAPED a SysV segment outlives the run', shmid)\nreturn x * 2",
            OK,
            setting=THEN_BIG,
        ),
        # Host-wide quotas by other doors than the entries above.
        A(
            "reserve half of fs.aio-max-nr in one io_setup",
            SYSCALL
            + "\nctx = ctypes.c_ulong(0)\nif libc.syscall(206, 32768, ctypes.byref(ctx)) == 0:\n    print('ESCAPED io_setup 32768')\nreturn x * 2",
            OK,
        ),
        A(
            "inotify_init (the old call) watch on the read-only tree",
            SYSCALL
            + "\nfd = libc.syscall(253)\nif fd >= 0 and libc.inotify_add_watch(fd, os.path.dirname(np.__file__).encode(), 0xFFF) >= 0:\n"
            "    print('ESCAPED inotify_init')\nreturn x * 2",
            OK,
        ),
        # Per-uid budgets shared with another worker's runs.
        Attack(
            "hold every thread of its uid while another worker grades",
            STARVER,
            frozenset({OK}),
            setting=BESIDE,
        ),
    ]


ATTACKS += _attacks_between_students()
