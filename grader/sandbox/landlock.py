"""Landlock (unprivileged filesystem, network and signal confinement) through raw syscalls, for
the *reduced* tier where no namespaces are available.

The child may read the directories Python and NumPy need, read ``/dev/{zero,urandom}``, read and
write ``/dev/null`` and its private temporary directory, and nothing else; with ABI >= 4 it may
not bind or connect TCP sockets, with ABI >= 6 it may not signal processes outside its domain nor
reach abstract unix sockets. Seccomp covers what Landlock does not (creating sockets, pathname
unix sockets, namespaces: Landlock has no rule for them).

Loaded by file path in the zygote; imports nothing from the project.
"""

from __future__ import annotations

import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1, 2, 4, 8
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | (1 << 14) | (1 << 15)
SCOPE_ABSTRACT_UNIX, SCOPE_SIGNAL = 1, 2


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """0 when Landlock is unavailable (old kernel or not enabled in the LSM list)."""
    ret = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(0, int(ret))


def _fs_rights(abi: int) -> int:
    return _FS_BY_ABI[max(k for k in _FS_BY_ABI if k <= abi)]


def restrict(read_dirs: list[str], write_dirs: list[str | None]) -> int:
    """Confine the calling process (and its future threads). Returns the ABI used."""
    abi = abi_version()
    if abi <= 0:
        raise OSError("Landlock is not available")
    fs = _fs_rights(abi)
    attr = _RulesetAttr(
        fs, 3 if abi >= 4 else 0, (SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL) if abi >= 6 else 0
    )
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        rules = [(d, READ_FILE | READ_DIR) for d in read_dirs]
        rules += [(d, fs) for d in write_dirs if d]
        rules += [("/dev/null", READ_FILE | WRITE_FILE), ("/dev/zero", READ_FILE)]
        rules += [("/dev/urandom", READ_FILE)]
        for path, rights in rules:
            _add_rule(ruleset, path, rights, fs)
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
        if _libc.syscall(SYS_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi


def _add_rule(ruleset: int, path: str, rights: int, fs: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= _FILE_ONLY
        beneath = _PathBeneath(rights & fs, fd)
        if _libc.syscall(SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(beneath), 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
    finally:
        os.close(fd)
